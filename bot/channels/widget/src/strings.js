// Every interface string the widget shows, one table per language. Add a language by adding a table.
export const STRINGS = {
  en: {
    title: "Framework advisor",
    open: "Open the chat with the framework advisor",
    close: "Close the chat",
    newConversation: "New conversation",
    newConversationLabel: "Start a new conversation (clears this one)",
    inputLabel: "Your question",
    placeholder: "Ask a question…",
    send: "Send",
    conversation: "Conversation",
    suggestions: "Suggested replies",
    you: "You",
    assistant: "Assistant",
    typing: "The assistant is typing…",
    connecting: "Connecting to the assistant…",
    unreachable: "Can't reach the assistant. Retrying…",
    queued: "Will be sent when the connection is back",
    copy: "Copy",
    copyLabel: "Copy this code",
    copied: "Copied",
    copyFailed: "Copy failed: select the code and copy it by hand",
    welcome: "Hi! Ask me to compare, choose or learn Keras, TensorFlow or PyTorch.",
    rateGroup: "Rate this answer",
    rateUp: "This answer helped",
    rateDown: "This answer did not help",
    ratedUp: "You rated this answer as helpful.",
    ratedDown: "You rated this answer as not helpful.",
    offered: "Suggestions offered",
  },
  es: {
    title: "Asesor de frameworks",
    open: "Abrir el chat con el asesor de frameworks",
    close: "Cerrar el chat",
    newConversation: "Nueva conversación",
    newConversationLabel: "Empezar una conversación nueva (borra esta)",
    inputLabel: "Tu pregunta",
    placeholder: "Escribe tu pregunta…",
    send: "Enviar",
    conversation: "Conversación",
    suggestions: "Respuestas sugeridas",
    you: "Tú",
    assistant: "Asistente",
    typing: "El asistente está escribiendo…",
    connecting: "Conectando con el asistente…",
    unreachable: "No se puede contactar con el asistente. Reintentando…",
    queued: "Se enviará cuando vuelva la conexión",
    copy: "Copiar",
    copyLabel: "Copiar este código",
    copied: "Copiado",
    copyFailed: "No se pudo copiar: selecciona el código y cópialo a mano",
    welcome: "¡Hola! Pídeme que compare, elija o explique Keras, TensorFlow o PyTorch.",
    rateGroup: "Valora esta respuesta",
    rateUp: "Esta respuesta me ayudó",
    rateDown: "Esta respuesta no me ayudó",
    ratedUp: "Has valorado esta respuesta como útil.",
    ratedDown: "Has valorado esta respuesta como no útil.",
    offered: "Sugerencias ofrecidas",
  },
};

export const DEFAULT_LANGUAGE = "en";

/** The supported language for a tag like "es-ES" or "EN", or null. */
export function supportedLanguage(tag) {
  const base = String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
  return Object.hasOwn(STRINGS, base) ? base : null;
}
