// The conversation kept in localStorage (messages + session id), so a reload finds it again.
const MAX_MESSAGES = 200;

function readStore(key) {
  try {
    const saved = JSON.parse(window.localStorage.getItem(key) || "null");
    if (saved && Array.isArray(saved.messages)) {
      return { sessionId: typeof saved.sessionId === "string" ? saved.sessionId : null, messages: saved.messages };
    }
  } catch {
    // Unreadable or blocked storage: start empty rather than fail to load.
  }
  return { sessionId: null, messages: [] };
}

export class History {
  constructor(storageKey) {
    this.key = storageKey;
    const saved = readStore(storageKey);
    this.sessionId = saved.sessionId;
    this.messages = saved.messages.filter((m) => m && (m.from === "user" || m.from === "bot"));
  }

  add(message) {
    this.messages.push(message);
    this.messages = this.messages.slice(-MAX_MESSAGES);
    this.save();
  }

  setSession(sessionId) {
    this.sessionId = sessionId;
    this.save();
  }

  clear() {
    this.sessionId = null;
    this.messages = [];
    this.save();
  }

  save() {
    try {
      window.localStorage.setItem(this.key, JSON.stringify({ sessionId: this.sessionId, messages: this.messages }));
    } catch {
      // Storage full or blocked: the conversation still works, it just won't survive a reload.
    }
  }
}
