// The socket.io link to the bot: session on every (re)connect, messages queued while the link is down.
import { io } from "socket.io-client";

const RETRY_AFTER_SERVER_DISCONNECT_MS = 2000;

export class Connection {
  /**
   * @param {object} options server, path, getSessionId(), getRepliesSeen(), onSession(id), onBotMessage(msg),
   *   onStatus("connected"|"down")
   */
  constructor(options) {
    this.options = options;
    this.queue = [];
    this.confirmed = false;
    this.socket = io(options.server, {
      path: options.path,
      // WebSocket first; where one cannot be opened (a proxy, or a server without WebSocket support), each
      // attempt falls back to HTTP long-polling, and stays there rather than probing an upgrade again.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    this.socket.on("connect", () => this.requestSession());
    this.socket.on("session_confirm", (data) => this.confirm(data));
    this.socket.on("bot_uttered", (message) => options.onBotMessage(message || {}));
    this.socket.on("connect_error", () => options.onStatus("down"));
    this.socket.on("disconnect", (reason) => {
      this.confirmed = false;
      options.onStatus("down");
      // socket.io-client reconnects by itself except when the server closed the socket on purpose.
      if (reason === "io server disconnect") {
        this.retryTimer = setTimeout(() => this.socket.connect(), RETRY_AFTER_SERVER_DISCONNECT_MS);
      }
    });
  }

  requestSession() {
    this.confirmed = false;
    // `seen`: the server replays the session's replies beyond that count, those sent while the link was down.
    const request = { session_id: this.options.getSessionId(), seen: this.options.getRepliesSeen() };
    this.socket.emit("session_request", request);
  }

  confirm(data) {
    const sessionId = typeof data === "string" ? data : data && data.session_id;
    if (!sessionId) return;
    this.confirmed = true;
    this.options.onSession(String(sessionId));
    this.options.onStatus("connected");
    this.flush();
  }

  /** Send now if connected with a session, otherwise when the next session is confirmed. Returns true if sent. */
  send(text, customData) {
    this.queue.push({ text, customData });
    return this.flush();
  }

  flush() {
    const sessionId = this.options.getSessionId();
    if (!this.confirmed || !this.socket.connected || !sessionId) return false;
    while (this.queue.length) {
      const { text, customData } = this.queue.shift();
      this.socket.emit("user_uttered", { message: text, session_id: sessionId, customData });
    }
    return true;
  }

  /** Forget the session: the server confirms a fresh one, and queued messages go to that one. */
  restartSession() {
    this.queue = [];
    if (this.socket.connected) this.requestSession();
  }

  close() {
    clearTimeout(this.retryTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
