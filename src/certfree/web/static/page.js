"use strict";
// What every signed-in page shares (loaded before the page's own script):
// the page's server-rendered data, Beijing time, the API call with the bearer token, RFC 9457
// problems shown next to the field they name, masked ID numbers and paged tables.
// The page calls `certfree.setAuth(signIn({...}))` once, then uses `certfree.api(...)`.
const certfree = (() => {
  const data = document.getElementById("page-data");
  const PAGE = data ? JSON.parse(data.textContent) : {};
  const T = PAGE.T || {};
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  let auth = null;

  const clock = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  // A stored UTC instant as people in the province read it (Asia/Shanghai), "YYYY-MM-DD HH:MM".
  function local(iso) {
    if (!iso) return "";
    const parts = {};
    // The API writes microseconds; Date parses at most milliseconds reliably.
    for (const p of clock.formatToParts(new Date(String(iso).replace(/(\.\d{3})\d+/, "$1")))) parts[p.type] = p.value;
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  }
  const fill = (template, values) => String(template).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

  // The named masking rules of certfree.governance.masking, the same rules written once more
  // for pages that show other people's data to staff; both are checked against
  // tests/vectors/masking.json. Counting is by code point, as in Python.
  const HIDDEN = "***";
  const DIGITS = "0123456789０１２３４５６７８９";
  const SURNAME_PAIRS = "欧阳太史端木上官司马东方独孤南宫万俟闻人夏侯诸葛尉迟公羊赫连澹台皇甫宗政濮阳公冶" +
    "太叔申屠公孙慕容仲孙钟离长孙宇文司徒鲜于司空闾丘子车亓官司寇巫马公西颛孙壤驷公良" +
    "漆雕乐正宰父谷梁拓跋夹谷轩辕令狐段干百里呼延东郭南门羊舌微生梁丘左丘东门西门第五" +
    "淳于即墨";
  const COMPOUND = new Set(Array.from({ length: SURNAME_PAIRS.length / 2 }, (_, i) => SURNAME_PAIRS.slice(2 * i, 2 * i + 2)));
  const SEGMENT = "[^0-9０-９路街道巷弄号楼栋室村镇乡组\\s,，]";
  const ABOVE_COUNTY = "[^0-9０-９路街道巷弄号楼栋室村镇乡组区县旗\\s,，]";
  const PROVINCE = new RegExp(`^(?:(?:北京|天津|上海|重庆)市?|${ABOVE_COUNTY}{1,7}?(?:省|自治区|特别行政区))`, "u");
  const CITY = new RegExp(`^${ABOVE_COUNTY}{1,9}?(?:自治州|地区|盟|市)`, "u");
  const COUNTY = new RegExp(`^${SEGMENT}{1,9}?(?:自治县|自治旗|林区|特区|区|县|旗|市)`, "u");
  const MUNICIPALITY = /^(?:北京|天津|上海|重庆)/u;
  const MOBILE_PREFIX = /^(?:\+|00)?86[\s-]?(?=1[0-9]{10}$)/u;
  const YEAR = /^(?:[0-9]{4}(?![0-9])|[0-9]{8}$)/u;
  const keepEnds = (chars, start, end) => (start + end >= chars.length
    ? "*".repeat(chars.length)
    : chars.slice(0, start).join("") + "*".repeat(chars.length - start - end) + chars.slice(chars.length - end).join(""));
  function phone(text) {
    const head = (text.match(MOBILE_PREFIX) || [""])[0];
    const body = Array.from(text.slice(head.length));
    const digits = body.filter((ch) => DIGITS.includes(ch)).length;
    if (!digits) return HIDDEN;
    const [first, last] = digits >= 11 ? [3, 4] : [Math.floor((digits * 3) / 11), Math.floor((digits * 4) / 11)];
    let seen = 0;
    return head + body.map((ch) => {
      if (!DIGITS.includes(ch)) return ch;
      seen += 1;
      return seen <= first || seen > digits - last ? ch : "*";
    }).join("");
  }
  function address(text) {
    let kept = "";
    let rest = text.trim();
    const take = (re) => {
      const found = rest.match(re);
      if (found) { kept += found[0]; rest = rest.slice(found[0].length); }
      return found;
    };
    if (take(PROVINCE)) {
      if (!MUNICIPALITY.test(kept)) take(CITY);
    } else {
      take(CITY);
    }
    if (kept) take(COUNTY);
    return rest ? kept + "****" : kept;
  }
  function name(text) {
    const chars = Array.from(text.trim());
    if (!chars.length) return "";
    const surname = chars.slice(0, 2).join("");
    return chars.length > 2 && COMPOUND.has(surname) ? surname + "*" : chars[0] + "*";
  }
  const RULES = {
    name,
    middle: (text) => keepEnds(Array.from(text), 2, 2),
    year: (text) => (YEAR.test(text) ? text.slice(0, 4) + Array.from(text.slice(4)).map((ch) => (DIGITS.includes(ch) ? "*" : ch)).join("") : HIDDEN),
    phone,
    address,
    id_number: (text) => {
      const chars = Array.from(text);
      const keep = Math.floor((chars.length * 2) / 9);
      return keepEnds(chars, keep, keep);
    },
    tail: (text) => {
      const chars = Array.from(text);
      return keepEnds(chars, 0, chars.length >= 8 ? 4 : Math.floor(chars.length / 2));
    },
    hidden: () => HIDDEN,
  };
  // `value` as shown to someone not granted it, by the named rule (none: as it is).
  function maskBy(rule, value) {
    if (rule === "none" || value === null || value === undefined) return value;
    if (!(rule in RULES)) throw new Error(`unknown masking rule ${rule}`);
    if (typeof value === "boolean" || (typeof value !== "string" && typeof value !== "number")) return HIDDEN;
    const text = String(value);
    return text === "" ? "" : RULES[rule](text);
  }
  // An ID number or USCC shown with its middle hidden (GB 11643: region and check digit kept).
  const mask = (id) => maskBy("id_number", String(id || ""));

  // A problem+json answer as an Error carrying the problem (field, detail, status).
  class Problem extends Error {
    constructor(problem, status) {
      super(problem.detail || problem.title || T.failed || "failed");
      this.problem = problem;
      this.status = status;
      this.field = problem.field || (problem.errors && problem.errors[0] && problem.errors[0].field) || null;
    }
  }

  // Call the node's API as the signed-in person: JSON in and out; throws Problem on 4xx/5xx.
  async function api(path, { method = "GET", body, token, raw = false } = {}) {
    const headers = { Accept: "application/json" };
    const bearer = token || (auth && auth.session() && auth.session().token);
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined && !(body instanceof FormData)) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method, headers,
        body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
      });
    } catch {
      // No answer at all (the network gone, the node down): said in the page's words, not in
      // the browser's ("Failed to fetch").
      throw new Problem({ detail: T.no_connection || T.failed || "failed" }, 0);
    }
    if (response.status === 401 && auth && !token) auth.signOut();
    if (raw && response.ok) return response;
    const text = await response.text();
    let parsed = null;
    // An answer that is not problem+json (a proxy's error page, a server error's plain text)
    // is never shown as it came: the person reads that it failed, with the HTTP status.
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
    if (!response.ok && (!parsed || typeof parsed !== "object" || !(parsed.detail || parsed.title))) {
      parsed = { detail: `${T.failed || "failed"} (HTTP ${response.status})` };
    }
    if (!response.ok) throw new Problem(parsed || {}, response.status);
    return parsed;
  }

  // Show an error next to the form field it names (aria-describedby), else in the form's
  // alert line; clear the old ones first. `problem` is a Problem or any Error.
  function showProblem(form, error) {
    clearProblems(form);
    const field = error.field ? String(error.field).split(".").pop() : null;
    const input = field && (form.querySelector(`[name="${CSS.escape(field)}"]`) || form.querySelector(`[data-field="${CSS.escape(field)}"]`));
    // A TypeError is a network failure (fetch) or a fault of the page itself: its words are
    // for developers (the console has them), not for the person at the form.
    const message = error instanceof TypeError ? T.failed || "failed" : error.message || T.failed;
    if (error instanceof TypeError) console.error(error);
    if (input) {
      const note = document.createElement("p");
      note.className = "field-error";
      note.id = `${input.id || input.name}-error`;
      note.textContent = message;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      input.insertAdjacentElement("afterend", note);
      input.focus();
      return;
    }
    let line = form.querySelector(".form-error");
    if (!line) {
      line = Object.assign(document.createElement("p"), { className: "form-error" });
      line.setAttribute("role", "alert");
      form.append(line);
    }
    line.textContent = message;
  }
  function clearProblems(form) {
    for (const note of $$(".field-error", form)) note.remove();
    for (const input of $$("[aria-invalid]", form)) { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
    const line = form.querySelector(".form-error");
    if (line) line.textContent = "";
  }

  // Run `action` when `form` is submitted; its problem, if any, lands beside the field.
  function onSubmit(form, action) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearProblems(form);
      const button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      try { await action(new FormData(form), event.submitter); } catch (error) { showProblem(form, error); } finally { if (button) button.disabled = false; }
    });
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    if (text instanceof Node) td.append(text); else td.textContent = text == null ? "" : String(text);
    if (className) td.className = className;
    return td;
  }
  function el(tag, props = {}, ...children) {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  // A table body filled page by page, with a search box filtering what was loaded:
  // `rows` is the full list, `render(row, item)` fills one <tr>. Long lists never grow unbounded.
  function pagedTable(table, items, render, { pageSize = 20, search = null, empty = null } = {}) {
    const body = table.tBodies[0];
    const nav = table.nextElementSibling && table.nextElementSibling.classList.contains("pager")
      ? table.nextElementSibling
      : table.insertAdjacentElement("afterend", el("nav", { className: "pager" }));
    nav.setAttribute("aria-label", T.pages || "pages");
    let page = 0;
    let shown = items;
    const draw = () => {
      body.replaceChildren();
      const pages = Math.max(1, Math.ceil(shown.length / pageSize));
      page = Math.min(page, pages - 1);
      for (const item of shown.slice(page * pageSize, (page + 1) * pageSize)) render(body.insertRow(), item);
      if (empty) empty.hidden = shown.length > 0;
      nav.replaceChildren();
      if (pages > 1) {
        const prev = el("button", { type: "button", textContent: T.previous || "‹", disabled: page === 0 });
        const next = el("button", { type: "button", textContent: T.next || "›", disabled: page >= pages - 1 });
        prev.addEventListener("click", () => { page -= 1; draw(); });
        next.addEventListener("click", () => { page += 1; draw(); });
        nav.append(prev, el("span", { textContent: ` ${page + 1} / ${pages} ` }), next);
      }
    };
    if (search) {
      search.addEventListener("input", () => {
        const needle = search.value.trim().toLowerCase();
        shown = needle ? items.filter((item) => JSON.stringify(item).toLowerCase().includes(needle)) : items;
        page = 0;
        draw();
      });
    }
    draw();
    return { redraw: (next) => { items = next; shown = next; draw(); } };
  }

  return {
    PAGE, T, $, $$, local, fill, mask, maskBy, api, Problem, showProblem, clearProblems, onSubmit, cell, el, pagedTable,
    setAuth: (value) => { auth = value; return value; },
    get auth() { return auth; },
  };
})();
