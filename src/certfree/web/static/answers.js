"use strict";
// An exchange answer in words, shared by /me and /desk. QUESTIONS comes from
// certfree.web.me.question_terms (labels and enum terms of each question's answer fields),
// T from the page's messages (yes, no, colon, sep).
function answerText(QUESTIONS, T, question, outcome) {
  if (outcome == null) return "—";
  // A logged outcome wraps the message body; a question.answer body carries the facts under
  // "result" (certfree.exchange.questions).
  const body = outcome.body && typeof outcome.body === "object" ? outcome.body : outcome;
  const facts = body.result && typeof body.result === "object" ? body.result : body;
  const { labels = {}, values = {} } = QUESTIONS[question] || {};
  return Object.entries(facts).map(([name, value]) => {
    let shown = value;
    if (value === true) shown = T.yes;
    else if (value === false) shown = T.no;
    else if (values[name] && values[name][value]) shown = values[name][value];
    else if (value !== null && typeof value === "object") shown = JSON.stringify(value);
    return `${labels[name] || name}${T.colon}${shown}`;
  }).join(T.sep);
}
