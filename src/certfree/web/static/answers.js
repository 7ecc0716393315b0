"use strict";
// An exchange answer in words, shared by /me and /desk. QUESTIONS comes from
// certfree.web.me.question_terms (labels and enum terms of each question's answer fields),
// T from the page's messages (yes, no, colon, sep).

// Each fact of an answer as {name, label, shown}; null when nothing was answered.
function answerParts(QUESTIONS, T, question, outcome) {
  if (outcome == null) return null;
  // A logged outcome wraps the message body; a question.answer body carries the facts under
  // "result" (certfree.exchange.questions.catalogue).
  const body = outcome.body && typeof outcome.body === "object" ? outcome.body : outcome;
  const facts = body.result && typeof body.result === "object" ? body.result : body;
  const { labels = {}, values = {}, fields = [] } = QUESTIONS[question] || {};
  // In the order the question lists its answer's fields (a logged answer is canonical JSON,
  // and the page's data too, their keys sorted); fields it does not list last.
  const order = fields;
  const place = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  const entries = Object.entries(facts).sort(([a], [b]) => place(a) - place(b));
  return entries.map(([name, value]) => {
    let shown = value;
    if (value === true) shown = T.yes;
    else if (value === false) shown = T.no;
    else if (values[name] && values[name][value]) shown = values[name][value];
    else if (value !== null && typeof value === "object") shown = JSON.stringify(value);
    return { name, label: labels[name] || name, shown: String(shown) };
  });
}

function answerText(QUESTIONS, T, question, outcome) {
  const parts = answerParts(QUESTIONS, T, question, outcome);
  if (parts == null) return "—";
  return parts.map((p) => `${p.label}${T.colon}${p.shown}`).join(T.sep);
}
