// Search and filters for the search page. Progressive enhancement only: without this script
// the page shows plain links to the filter pages (month, series, access, free, online, tags).
//
// Filters run over the search page's own document of events (/search/events.json, made by
// plugins/events_calendar/search_document.py): only what the filters and the results need, a
// fraction of the size of the partners' JSON feed (/events.json), which this page never loads.
// Words are searched with Pagefind, whose index `make html` builds. The chosen filters live in
// the address (?q=...&free=yes), so a filtered view can be bookmarked and shared. Results are
// announced in a live region.

const form = document.querySelector("[data-search-form]");
const statusRegion = document.getElementById("search-status");
const resultsArea = document.getElementById("search-results");

let eventsPromise = null;
let pagefindPromise = null;

function loadEvents() {
  eventsPromise ??= fetch(form.dataset.eventsUrl).then((response) => {
    if (!response.ok) throw new Error(`${form.dataset.eventsUrl}: ${response.status}`);
    return response.json();
  });
  return eventsPromise;
}

// A large calendar's index is built in parts (plugins/events_calendar/search_index.py), so that
// an edit re-indexes one part; pagefind/parts.json lists the parts after the first, which
// Pagefind merges into one search.
function loadPagefind() {
  pagefindPromise ??= import(form.dataset.pagefindUrl).then(async (pagefind) => {
    await pagefind.options({ baseUrl: `${form.dataset.siteUrl}/` });
    const partsUrl = new URL("parts.json", new URL(form.dataset.pagefindUrl, window.location.href));
    const response = await fetch(partsUrl);
    const parts = response.ok ? await response.json() : { merge: [] };
    for (const part of parts.merge) {
      await pagefind.mergeIndex(new URL(part, partsUrl).pathname);
    }
    return pagefind;
  });
  return pagefindPromise;
}

// --- dates, in the visitor's own calendar days -----------------------------------------

const isoDay = (date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

function addDays(date, days) {
  const copy = new Date(date);
  copy.setDate(copy.getDate() + days);
  return copy;
}

/** The first and last day (YYYY-MM-DD, inclusive) the "when" choice stands for, or null. */
function dateRange(when, month) {
  const today = new Date();
  const day = today.getDay(); // 0 is Sunday
  switch (when) {
    case "today":
      return [isoDay(today), isoDay(today)];
    case "weekend": {
      if (day === 0) return [isoDay(today), isoDay(today)];
      const saturday = addDays(today, 6 - day);
      return [isoDay(saturday), isoDay(addDays(saturday, 1))];
    }
    case "week":
      return [isoDay(today), isoDay(addDays(today, 6))];
    case "month": {
      const last = new Date(today.getFullYear(), today.getMonth() + 1, 0);
      return [isoDay(today), isoDay(last)];
    }
    case "chosen": {
      if (!/^\d{4}-\d{2}$/.test(month || "")) return null;
      const [year, number] = month.split("-").map(Number);
      const last = new Date(year, number, 0);
      return [`${month}-01`, isoDay(last)];
    }
    default:
      return null;
  }
}

// --- filtering ------------------------------------------------------------------------

// An occurrence's first_day and last_day are the days the site lists it on (inclusive; an end
// at midnight ends the day before), made by the build.
function matchingOccurrences(event, choices, todayIso) {
  const range = dateRange(choices.when, choices.month);
  return event.occurrences.filter((occurrence) => {
    // Searching with words finds past events too (marked as past); browsing shows what is to come.
    if (!choices.past && !choices.q && occurrence.last_day < todayIso) return false;
    if (range && (occurrence.last_day < range[0] || occurrence.first_day > range[1])) return false;
    return true;
  });
}

function keepEvent(event, choices) {
  if (choices.series && !event.series.includes(choices.series)) return false;
  if (choices.tag && !event.tags.includes(choices.tag)) return false;
  if (choices.free && !event.free) return false;
  if (choices.attendance === "online" && !event.online) return false;
  if (choices.attendance === "in-person" && event.venue === null) return false;
  return choices.access.every((slug) => event.access.includes(slug));
}

// --- the form and the address ----------------------------------------------------------

function readChoices(params) {
  return {
    q: (params.get("q") || "").trim(),
    when: params.get("when") || "",
    month: params.get("month") || "",
    series: params.get("series") || "",
    tag: params.get("tag") || "",
    free: params.get("free") === "yes",
    attendance: params.get("attendance") || "",
    past: params.get("past") === "yes",
    access: params.getAll("access"),
  };
}

function showChoices(choices) {
  form.elements.q.value = choices.q;
  for (const name of ["when", "attendance"]) {
    for (const input of form.querySelectorAll(`input[name="${name}"]`)) {
      input.checked = input.value === choices[name];
    }
  }
  if (choices.month) form.elements.month.value = choices.month;
  form.elements.series.value = choices.series;
  form.elements.tag.value = choices.tag;
  form.elements.free.checked = choices.free;
  form.elements.past.checked = choices.past;
  for (const input of form.querySelectorAll('input[name="access"]')) {
    input.checked = choices.access.includes(input.value);
  }
}

function paramsFromForm() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (value === "") continue;
    if (name === "month" && form.elements.when.value !== "chosen") continue;
    params.append(name, value);
  }
  return params;
}

// --- results --------------------------------------------------------------------------

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function placeText(event) {
  if (event.venue === null) return event.online ? "Online" : "";
  return event.online ? `${event.venue}, and online` : event.venue;
}

function renderEvent(event, occurrence, todayIso) {
  const item = element("li", { class: "app-search-result" });
  const heading = element("h3", { class: "app-search-result__title" });
  const link = element("a", { href: `${form.dataset.siteUrl}/${event.url}` });
  if (event.status !== "scheduled") {
    link.append(element("strong", { class: `app-tag app-tag--${event.status}` },
      event.status.charAt(0).toUpperCase() + event.status.slice(1)), " ");
  }
  link.append(event.title);
  heading.append(link);
  item.append(heading);
  const when = element("p", { class: "app-search-result__when" }, occurrence.when);
  if (occurrence.last_day < todayIso) when.append(" ", element("strong", { class: "app-tag app-tag--past" }, "Past event"));
  item.append(when);
  const place = placeText(event);
  if (place) item.append(element("p", { class: "app-search-result__place" }, place));
  if (event.summary) item.append(element("p", {}, event.summary));
  return item;
}

async function run(choices) {
  statusRegion.textContent = "Searching…";
  const document_ = await loadEvents();
  const todayIso = isoDay(new Date());
  let ranked = document_.events; // by date
  let otherPages = [];
  if (choices.q) {
    const pagefind = await loadPagefind();
    const search = await pagefind.search(choices.q);
    const found = await Promise.all(search.results.slice(0, 100).map((result) => result.data()));
    // The document's addresses are relative to the site's own ("" for a local build).
    const siteBase = new URL(`${form.dataset.siteUrl}/`, window.location.href);
    const byPath = new Map(document_.events.map((event) => [new URL(event.url, siteBase).pathname, event]));
    const order = new Map();
    found.forEach((page, index) => {
      const path = new URL(page.url, window.location.href).pathname.replace(/index\.html$/, "");
      if (byPath.has(path)) order.set(byPath.get(path), index);
      else otherPages.push(page);
    });
    ranked = document_.events.filter((event) => order.has(event))
      .sort((a, b) => order.get(a) - order.get(b));
  }
  const matches = [];
  for (const event of ranked) {
    if (!keepEvent(event, choices)) continue;
    const occurrences = matchingOccurrences(event, choices, todayIso);
    if (!occurrences.length) continue;
    const upcoming = occurrences.find((o) => o.last_day >= todayIso);
    matches.push({ event, occurrence: upcoming || occurrences[occurrences.length - 1], upcoming: Boolean(upcoming) });
  }
  // Upcoming events first, then past ones; within each, the search's order (or the date's).
  matches.sort((a, b) => Number(b.upcoming) - Number(a.upcoming));

  resultsArea.replaceChildren();
  if (matches.length) {
    resultsArea.append(element("h2", {}, "Events"));
    const list = element("ol", { class: "app-search-results" });
    for (const match of matches) list.append(renderEvent(match.event, match.occurrence, todayIso));
    resultsArea.append(list);
  }
  if (choices.q && otherPages.length) {
    resultsArea.append(element("h2", {}, "Series and other pages"));
    const list = element("ul", { class: "app-search-results" });
    for (const page of otherPages) {
      const item = element("li");
      item.append(element("a", { href: page.url }, page.meta.title || page.url));
      list.append(item);
    }
    resultsArea.append(list);
  }
  const count = matches.length === 1 ? "1 event found" : `${matches.length} events found`;
  statusRegion.textContent = matches.length ? count : "No events found. Try fewer filters or other words.";
}

function start() {
  form.hidden = false;
  for (const note of document.querySelectorAll("[data-no-script]")) note.hidden = true;
  const choices = readChoices(new URLSearchParams(window.location.search));
  showChoices(choices);
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const params = paramsFromForm();
    const query = params.toString();
    window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
    run(readChoices(params)).catch(showFailure);
  });
  if (window.location.search) run(choices).catch(showFailure);
}

function showFailure(error) {
  statusRegion.textContent = "Search is not working at the moment. Use the links below to find events.";
  console.error(error);
}

if (form) start();
