// Entry point: reads the embed options and exposes window.FrameworkAdvisorChat.
import { DEFAULT_LANGUAGE, STRINGS, supportedLanguage } from "./strings.js";
import { ChatWidget } from "./widget.js";

const DEFAULT_STORAGE_KEY = "fa-chat-history";
const DEFAULT_SOCKET_PATH = "/socket.io";

// Only readable while this file is first executed, so captured now.
const script = document.currentScript;

/** The server defaults to the origin this widget.js was loaded from. */
function scriptOrigin() {
  try {
    if (script && script.src) return new URL(script.src, window.location.href).origin;
  } catch {
    // A malformed src: fall back to the page's origin.
  }
  return window.location.origin;
}

function attribute(name) {
  return script ? script.getAttribute(`data-${name}`) : null;
}

function pageLanguage() {
  return supportedLanguage(document.documentElement.lang);
}

/** Options from init() win over data-* attributes on the script tag, which win over the defaults. */
function resolveConfig(options) {
  const pick = (key, attr) => (options[key] !== undefined && options[key] !== null ? options[key] : attribute(attr));
  const open = pick("open", "open");
  return {
    server: String(pick("server", "server") || scriptOrigin()).replace(/\/+$/, ""),
    path: pick("path", "path") || DEFAULT_SOCKET_PATH,
    language: supportedLanguage(pick("language", "language")) || pageLanguage() || DEFAULT_LANGUAGE,
    open: open === true || open === "true" || open === "",
    title: pick("title", "title") || "",
    storageKey: pick("storageKey", "storage-key") || DEFAULT_STORAGE_KEY,
  };
}

let widget = null;
let autoInit = attribute("auto-init") !== "false";

function whenBodyReady(callback) {
  if (document.body) callback();
  else document.addEventListener("DOMContentLoaded", callback, { once: true });
}

const api = {
  version: "0.1.0",
  languages: Object.keys(STRINGS),

  /** Shows the widget with these options (again, if it is already shown). */
  init(options = {}) {
    autoInit = false;
    whenBodyReady(() => {
      if (widget) widget.destroy();
      widget = new ChatWidget(resolveConfig(options));
    });
    return api;
  },
  open() {
    if (widget) widget.open();
  },
  close() {
    if (widget) widget.close();
  },
  /** "en" or "es": interface strings and the language sent with each message. */
  setLanguage(language) {
    const supported = supportedLanguage(language);
    if (!supported) throw new Error(`Unsupported language "${language}": use one of ${api.languages.join(", ")}.`);
    if (widget) widget.setLanguage(supported);
  },
  newConversation() {
    if (widget) widget.newConversation();
  },
  destroy() {
    if (widget) widget.destroy();
    widget = null;
  },
  get language() {
    return widget ? widget.language : null;
  },
  get sessionId() {
    return widget ? widget.history.sessionId : null;
  },
  /** The socket.io client socket, for debugging and tests. */
  get socket() {
    return widget ? widget.connection.socket : null;
  },
};

if (!window.FrameworkAdvisorChat) {
  window.FrameworkAdvisorChat = api;
  // A page that calls init() in a script right after this one gets its options; otherwise the defaults.
  const start = () => {
    if (autoInit && !widget) api.init();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else setTimeout(start, 0);
}
