// The chat panel: builds the DOM, shows messages, and wires the input to the connection.
import { Connection } from "./connection.js";
import { History } from "./history.js";
import { renderMarkdown } from "./markdown.js";
import { STRINGS } from "./strings.js";
import css from "./styles.css";

const STYLE_ID = "fa-chat-styles";
const TYPING_LIMIT_MS = 20000;
const COPIED_FOR_MS = 2000;
const LAUNCHER_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 ' +
  '2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 ' +
  '1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';

const RATE_INTENT = "rate_answer";
const THUMBS = { up: "\u{1F44D}", down: "\u{1F44E}" };

let nextId = 0;

function injectStyles() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = css;
  document.head.appendChild(style);
}

/** A new element with a class (always fa-chat- prefixed) and attributes. */
function el(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** [{title, payload}] from a bot message's quick_replies or buttons. */
function repliesOf(message) {
  const offered = Array.isArray(message.quick_replies) ? message.quick_replies : message.buttons;
  if (!Array.isArray(offered)) return [];
  return offered
    .filter((r) => r && typeof r.title === "string" && r.title && (typeof r.payload === "string" || !r.payload))
    .map((r) => ({ title: r.title, payload: r.payload || r.title }));
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Pages served over plain http have no clipboard API: the old way still works there.
  const area = el("textarea", "fa-chat-sr", { readonly: "" });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("copy refused");
}

export class ChatWidget {
  /** @param {object} config server, path, language, open, title, storageKey */
  constructor(config) {
    this.config = config;
    this.language = config.language;
    this.history = new History(config.storageKey);
    this.status = "connecting";
    this.queued = [];
    this.expecting = []; // what each sent message was ("question" or "rating"), in order: its reply follows
    injectStyles();
    this.build();
    this.applyLanguage();
    this.restore();
    this.connection = new Connection({
      server: config.server,
      path: config.path,
      getSessionId: () => this.history.sessionId,
      getRepliesSeen: () => this.history.repliesSeen,
      onSession: (id) => this.history.setSession(id),
      onBotMessage: (message) => this.receive(message),
      onStatus: (status) => this.setStatus(status),
    });
    if (config.open) this.open();
  }

  get strings() {
    return STRINGS[this.language];
  }

  build() {
    const id = `fa-chat-${++nextId}`;
    this.root = el("div", "fa-chat-root", { "data-open": "false" });
    this.launcher = el("button", "fa-chat-launcher", {
      type: "button",
      "aria-expanded": "false",
      "aria-controls": `${id}-panel`,
    });
    this.launcher.innerHTML = LAUNCHER_ICON;
    this.launcher.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));

    this.panel = el("section", "fa-chat-panel", {
      id: `${id}-panel`,
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": `${id}-title`,
    });
    this.panel.hidden = true;
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.close();
      }
    });

    const header = el("header", "fa-chat-header");
    this.titleEl = el("h2", "fa-chat-title", { id: `${id}-title` });
    this.newButton = el("button", "fa-chat-new", { type: "button" });
    this.newButton.addEventListener("click", () => this.newConversation());
    this.closeButton = el("button", "fa-chat-close", { type: "button" });
    this.closeButton.textContent = "×";
    this.closeButton.addEventListener("click", () => this.close());
    header.append(this.titleEl, this.newButton, this.closeButton);

    this.statusEl = el("p", "fa-chat-status", { role: "status", "aria-live": "polite" });
    this.scroller = el("div", "fa-chat-scroll");
    this.intro = el("p", "fa-chat-intro");
    this.log = el("div", "fa-chat-log", { role: "log", "aria-live": "polite" });
    this.typing = el("div", "fa-chat-typing", { role: "status" });
    this.typing.hidden = true;
    for (let i = 0; i < 3; i++) this.typing.append(el("span", "fa-chat-dot", { "aria-hidden": "true" }));
    this.typingText = el("span", "fa-chat-sr");
    this.typing.append(this.typingText);
    this.scroller.append(this.intro, this.log, this.typing);

    this.form = el("form", "fa-chat-form");
    this.inputLabel = el("label", "fa-chat-sr", { for: `${id}-input` });
    this.input = el("textarea", "fa-chat-input", { id: `${id}-input`, rows: "1", autocomplete: "off" });
    this.sendButton = el("button", "fa-chat-send", { type: "submit" });
    this.form.append(this.inputLabel, this.input, this.sendButton);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitInput();
    });
    this.input.addEventListener("input", () => this.fitInput());
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitInput();
      }
    });

    this.panel.append(header, this.statusEl, this.scroller, this.form);
    this.root.append(this.panel, this.launcher);
    document.body.appendChild(this.root);
  }

  /** Puts the current language's strings on every part of the interface. */
  applyLanguage() {
    const s = this.strings;
    this.root.lang = this.language;
    this.titleEl.textContent = this.config.title || s.title;
    this.launcher.setAttribute("aria-label", this.isOpen ? s.close : s.open);
    this.newButton.textContent = s.newConversation;
    this.newButton.setAttribute("aria-label", s.newConversationLabel);
    this.closeButton.setAttribute("aria-label", s.close);
    this.intro.textContent = s.welcome;
    this.log.setAttribute("aria-label", s.conversation);
    this.typingText.textContent = s.typing;
    this.inputLabel.textContent = s.inputLabel;
    this.input.placeholder = s.placeholder;
    this.sendButton.textContent = s.send;
    this.sendButton.setAttribute("aria-label", s.send);
    for (const group of this.log.querySelectorAll(".fa-chat-replies")) group.setAttribute("aria-label", s.suggestions);
    for (const list of this.log.querySelectorAll(".fa-chat-offered")) list.setAttribute("aria-label", s.offered);
    for (const group of this.log.querySelectorAll(".fa-chat-rating")) this.labelRating(group);
    for (const label of this.log.querySelectorAll("[data-fa-chat-speaker]")) {
      label.textContent = `${label.dataset.faChatSpeaker === "user" ? s.you : s.assistant}: `;
    }
    for (const note of this.log.querySelectorAll(".fa-chat-note")) note.textContent = s.queued;
    for (const button of this.log.querySelectorAll(".fa-chat-copy")) this.labelCopyButton(button, false);
    for (const pre of this.log.querySelectorAll(".fa-chat-code pre")) pre.setAttribute("aria-label", s.code);
    this.showStatus();
  }

  setLanguage(language) {
    this.language = language;
    this.applyLanguage();
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  open() {
    this.panel.hidden = false;
    this.root.dataset.open = "true";
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", this.strings.close);
    this.scrollToEnd();
    this.input.focus({ preventScroll: true });
  }

  close() {
    const hadFocus = this.panel.contains(document.activeElement);
    this.panel.hidden = true;
    this.root.dataset.open = "false";
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", this.strings.open);
    if (hadFocus) this.launcher.focus();
  }

  restore() {
    const { messages } = this.history;
    const lastAnswer = [...messages].reverse().find((m) => m.from === "bot" && m.ratable);
    messages.forEach((message, index) => {
      const isLast = index === messages.length - 1;
      if (message.from === "user") {
        this.showUser(message.text);
        return;
      }
      const retired = !isLast || Boolean(message.retired);
      this.showBot(message.text, message.replies || [], message, message === lastAnswer, retired);
    });
  }

  submitInput() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.fitInput();
    this.send(text, text);
  }

  /** Shows `shown` as the user's bubble and sends `text` (a quick reply shows its title, sends its payload). */
  send(text, shown) {
    this.retireReplies();
    const bubble = this.showUser(shown);
    this.history.add({ from: "user", text: shown });
    this.expecting.push("question");
    const sent = this.connection.send(text, { language: this.language, page_url: window.location.href });
    if (sent) {
      this.showTyping();
    } else {
      const note = el("span", "fa-chat-note");
      note.textContent = this.strings.queued;
      bubble.append(note);
      this.queued.push(note);
    }
    this.scrollToEnd();
  }

  receive(message) {
    const text = typeof message.text === "string" ? message.text : "";
    const replies = repliesOf(message);
    if (!message.transient) this.history.countReply();
    if (!message.replayed && this.expecting.shift() === "rating") {
      // The thanks for a rating is said beside the rated answer, not as a new message.
      if (this.ratedNote && text) this.ratedNote.textContent = text;
      return;
    }
    this.hideTyping();
    if (!text && !replies.length) return;
    this.retireReplies();
    const entry = { from: "bot", text, replies, ratable: !message.transient && Boolean(text) };
    const node = this.showBot(text, replies, entry, entry.ratable);
    this.history.add(entry);
    this.scrollToShow(node);
  }

  showUser(text) {
    const message = this.messageElement("user");
    const bubble = el("div", "fa-chat-bubble");
    bubble.textContent = text;
    message.append(bubble);
    this.log.append(message);
    return message;
  }

  /** A bot message; `entry` is its history record, and a ratable answer gets the thumbs (live on the latest one). */
  showBot(text, replies, entry = null, latestAnswer = false, retired = false) {
    const message = this.messageElement("bot");
    if (text) {
      const bubble = el("div", "fa-chat-bubble fa-chat-markdown");
      bubble.innerHTML = renderMarkdown(text);
      this.prepareCodeBlocks(bubble);
      message.append(bubble);
    }
    if (replies.length) message.append(retired ? this.offeredElement(replies) : this.repliesElement(replies));
    if (entry && entry.ratable) {
      for (const earlier of this.log.querySelectorAll(".fa-chat-rate")) earlier.disabled = true;
      message.append(this.ratingElement(entry, latestAnswer));
    }
    this.log.append(message);
    return message;
  }

  /** Thumbs up and down for one answer. A rating is sent in the conversation and rates its latest answer, so
   * only the latest answer's thumbs can be pressed; earlier ones keep showing what was chosen. */
  ratingElement(entry, live) {
    const group = el("div", "fa-chat-rating", { role: "group" });
    const note = el("span", "fa-chat-rated", { role: "status", "aria-live": "polite" });
    for (const thumb of ["up", "down"]) {
      const button = el("button", "fa-chat-rate", { type: "button", "data-rating": thumb });
      button.textContent = THUMBS[thumb];
      button.disabled = !live;
      button.addEventListener("click", () => this.rate(entry, group, thumb));
      group.append(button);
    }
    group.append(note);
    group.rating = entry.rating || null;
    this.labelRating(group);
    return group;
  }

  labelRating(group) {
    const s = this.strings;
    group.setAttribute("aria-label", s.rateGroup);
    for (const button of group.querySelectorAll(".fa-chat-rate")) {
      const thumb = button.dataset.rating;
      button.setAttribute("aria-label", thumb === "up" ? s.rateUp : s.rateDown);
      button.setAttribute("aria-pressed", String(group.rating === thumb));
    }
  }

  rate(entry, group, thumb) {
    const note = group.querySelector(".fa-chat-rated");
    group.rating = thumb;
    entry.rating = thumb;
    this.history.save();
    this.labelRating(group);
    note.textContent = thumb === "up" ? this.strings.ratedUp : this.strings.ratedDown;
    this.ratedNote = note;
    this.expecting.push("rating");
    this.connection.send(`/${RATE_INTENT}${JSON.stringify({ rating: thumb })}`, {
      language: this.language,
      page_url: window.location.href,
    });
  }

  messageElement(from) {
    const message = el("div", `fa-chat-msg fa-chat-msg-${from}`);
    const speaker = el("span", "fa-chat-sr", { "data-fa-chat-speaker": from });
    speaker.textContent = `${from === "user" ? this.strings.you : this.strings.assistant}: `;
    message.append(speaker);
    return message;
  }

  repliesElement(replies) {
    const group = el("div", "fa-chat-replies", { role: "group", "aria-label": this.strings.suggestions });
    for (const reply of replies) {
      const button = el("button", "fa-chat-reply", { type: "button" });
      button.textContent = reply.title;
      button.addEventListener("click", () => {
        this.send(reply.payload, reply.title);
        this.input.focus({ preventScroll: true });
      });
      group.append(button);
    }
    return group;
  }

  /** Suggestions are buttons only until the conversation moves on; then they stay as text with their message
   * ("For example:" keeps its examples). */
  retireReplies() {
    for (const group of this.log.querySelectorAll(".fa-chat-replies")) {
      const titles = [...group.querySelectorAll(".fa-chat-reply")].map((button) => ({ title: button.textContent }));
      group.replaceWith(this.offeredElement(titles));
    }
    const last = this.history.messages.at(-1);
    if (last && last.replies && last.replies.length && !last.retired) {
      last.retired = true;
      this.history.save();
    }
  }

  offeredElement(replies) {
    const list = el("ul", "fa-chat-offered", { "aria-label": this.strings.offered });
    for (const reply of replies) {
      const item = el("li");
      item.textContent = reply.title;
      list.append(item);
    }
    return list;
  }

  /** Every code block gets a copy button, and is a named region that takes keyboard focus: a long line scrolls
   * sideways, and only a focused block scrolls with the arrow keys. Added after sanitising, so never from bot text. */
  prepareCodeBlocks(bubble) {
    for (const pre of bubble.querySelectorAll("pre")) {
      const code = pre.querySelector("code") || pre;
      pre.setAttribute("tabindex", "0");
      pre.setAttribute("role", "region");
      pre.setAttribute("aria-label", this.strings.code);
      const wrapper = el("div", "fa-chat-code");
      const button = el("button", "fa-chat-copy", { type: "button" });
      this.labelCopyButton(button, false);
      button.addEventListener("click", async () => {
        try {
          await copyText(code.textContent);
          this.labelCopyButton(button, true);
        } catch {
          button.textContent = this.strings.copyFailed;
        }
        clearTimeout(button.resetTimer);
        button.resetTimer = setTimeout(() => this.labelCopyButton(button, false), COPIED_FOR_MS);
      });
      pre.replaceWith(wrapper);
      wrapper.append(button, pre);
    }
  }

  labelCopyButton(button, copied) {
    button.textContent = copied ? this.strings.copied : this.strings.copy;
    button.setAttribute("aria-label", copied ? this.strings.copied : this.strings.copyLabel);
    button.dataset.copied = String(copied);
  }

  showTyping() {
    this.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_LIMIT_MS);
    this.scrollToEnd();
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    this.typing.hidden = true;
  }

  setStatus(status) {
    this.status = status;
    if (status === "connected" && this.queued.length) {
      for (const note of this.queued) note.remove();
      this.queued = [];
      this.showTyping();
    }
    if (status === "down") this.hideTyping();
    this.showStatus();
  }

  showStatus() {
    const text = { connecting: "", connected: "", down: this.strings.unreachable }[this.status];
    if (this.statusEl.textContent !== text) this.statusEl.textContent = text;
  }

  newConversation() {
    this.history.clear();
    this.log.replaceChildren();
    this.queued = [];
    this.expecting = [];
    this.hideTyping();
    this.connection.restartSession();
    this.input.focus({ preventScroll: true });
  }

  /** The input grows with its text (Shift+Enter adds a line), up to the height the styles allow. */
  fitInput() {
    this.input.style.height = "auto";
    this.input.style.height = `${this.input.scrollHeight + 2}px`;
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** A long answer is shown from its start, a short one scrolls the conversation to the end. */
  scrollToShow(node) {
    if (node.offsetHeight > this.scroller.clientHeight) {
      this.scroller.scrollTop = node.offsetTop - this.scroller.offsetTop;
    } else {
      this.scrollToEnd();
    }
  }

  destroy() {
    this.hideTyping();
    this.connection.close();
    this.root.remove();
  }
}
