// The conversation kept in localStorage (messages, session id, and how many of the session's replies were
// shown), so a reload finds it again and a reconnect can ask for the replies it missed.
const MAX_MESSAGES = 200;

function readStore(key) {
  try {
    const saved = JSON.parse(window.localStorage.getItem(key) || "null");
    if (saved && Array.isArray(saved.messages)) {
      return {
        sessionId: typeof saved.sessionId === "string" ? saved.sessionId : null,
        messages: saved.messages,
        repliesSeen: Number.isInteger(saved.repliesSeen) && saved.repliesSeen >= 0 ? saved.repliesSeen : 0,
      };
    }
  } catch {
    // Unreadable or blocked storage: start empty rather than fail to load.
  }
  return { sessionId: null, messages: [], repliesSeen: 0 };
}

export class History {
  constructor(storageKey) {
    this.key = storageKey;
    const saved = readStore(storageKey);
    this.sessionId = saved.sessionId;
    this.repliesSeen = saved.repliesSeen;
    this.messages = saved.messages.filter((m) => m && (m.from === "user" || m.from === "bot"));
  }

  add(message) {
    this.messages.push(message);
    this.messages = this.messages.slice(-MAX_MESSAGES);
    this.save();
  }

  setSession(sessionId) {
    if (sessionId !== this.sessionId) this.repliesSeen = 0;
    this.sessionId = sessionId;
    this.save();
  }

  /** One more of the bot's recorded replies shown (not the channel's own notices, which are not recorded). */
  countReply() {
    this.repliesSeen += 1;
    this.save();
  }

  clear() {
    this.sessionId = null;
    this.messages = [];
    this.repliesSeen = 0;
    this.save();
  }

  save() {
    try {
      window.localStorage.setItem(this.key, JSON.stringify({ sessionId: this.sessionId, messages: this.messages, repliesSeen: this.repliesSeen }));
    } catch {
      // Storage full or blocked: the conversation still works, it just won't survive a reload.
    }
  }
}
