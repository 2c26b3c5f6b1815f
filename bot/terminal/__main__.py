"""`python -m bot.terminal`: the terminal chat."""

import sys

from bot.terminal.chat import main

sys.exit(main())
