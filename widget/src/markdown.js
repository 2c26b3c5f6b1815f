// Bot text -> safe HTML: Markdown without raw HTML, code highlighted, then sanitised by DOMPurify.
import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import python from "highlight.js/lib/languages/python";
import MarkdownIt from "markdown-it";

hljs.registerLanguage("python", python);
hljs.registerLanguage("bash", bash);
hljs.registerAliases(["py"], { languageName: "python" });
hljs.registerAliases(["sh", "shell", "console"], { languageName: "bash" });

const markdown = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: true,
  highlight(code, lang) {
    // The fence keeps its final newline; the copied text is the block without it.
    const text = code.replace(/\n$/, "");
    const language = hljs.getLanguage(lang) ? lang : null;
    const body = language ? hljs.highlight(text, { language, ignoreIllegals: true }).value : markdown.utils.escapeHtml(text);
    const name = language ? ` language-${markdown.utils.escapeHtml(lang)}` : "";
    return `<pre><code class="hljs${name}">${body}</code></pre>`;
  },
});

const purifier = DOMPurify(window);
purifier.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

const SANITIZE = {
  ALLOWED_TAGS: [
    "a", "p", "br", "strong", "em", "b", "i", "s", "del", "code", "pre", "span", "ul", "ol", "li",
    "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
  ],
  ALLOWED_ATTR: ["href", "title", "class", "start", "target", "rel"],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
};

/** Sanitised HTML for a bot message written in Markdown. */
export function renderMarkdown(text) {
  return purifier.sanitize(markdown.render(String(text ?? "")), SANITIZE);
}
