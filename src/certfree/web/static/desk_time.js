"use strict";
// The time limit of a case (承诺时限) in working days, as the server counts them: the page
// data's WORKDAYS is {from, today, days: "0110…"}, one mark a day from `from` (1: a working
// day under the State Council's holiday arrangement, 调休 included), today in Beijing.
const deskTime = (() => {
  const { PAGE, T, fill } = certfree;
  const W = PAGE.WORKDAYS;
  const DAY = 86400000;
  const at = (iso) => Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.parse(`${W.from}T00:00:00Z`)) / DAY);

  // Working days after `start` up to and including `end` (ISO days); null outside the window.
  function between(start, end) {
    const first = at(start) + 1;
    const last = at(end);
    if (first < 0 || last >= W.days.length) return null;
    let count = 0;
    for (let i = first; i <= last; i += 1) count += W.days[i] === "1" ? 1 : 0;
    return count;
  }

  // How a case stands against its due day: {text, overdue}, or null when no clock runs.
  function standing(app) {
    if (!app.due_on) return null;
    const estimate = app.due_estimated ? T.estimated : "";
    if (app.state === "correction_requested") return { text: T.clock_stopped, overdue: false };
    if (app.state !== "accepted" && app.state !== "verifying") return null;
    if (app.overdue) {
      const days = between(app.due_on, W.today);
      return { text: days ? fill(T.overdue_by, { days }) : T.overdue, overdue: true };
    }
    if (app.due_on === W.today) return { text: T.due_today + estimate, overdue: false };
    const days = between(W.today, app.due_on);
    return days == null ? null : { text: fill(T.days_left, { days }) + estimate, overdue: false };
  }

  // The due day with its standing as a badge (red when overdue).
  function dueCell(app) {
    const box = certfree.el("span", { className: "due" }, app.due_on || "—");
    const shown = standing(app);
    if (shown) {
      box.append(" ", certfree.el("span", { className: `badge${shown.overdue ? " bad overdue" : ""}`, textContent: shown.text }));
    }
    return box;
  }
  return { between, standing, dueCell };
})();
