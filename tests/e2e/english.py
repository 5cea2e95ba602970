"""No English on the journeys' pages (issue 16, Done when): what a user reads — the visible text and the attributes
they meet (title, placeholder, aria-label, alt, the value of buttons, the options of a select) — holds none of the
English UI strings Django, widgets and browsers are known to leak, and no ASCII-only English sentence.

`COLLECTOR` runs in every page of a `Persona` (an init script: on load and after each htmx swap) and hands what it
read to Python through a binding; `english_in` is the pure check, `check` raises with every finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Known English UI strings (Django defaults, widgets, generic buttons and pagers). Matched as whole words, with their
# capital (a Vietnamese text may hold "Page" only by leaking it); multi-word entries ignore case.
KNOWN = (
    "Submit", "Save", "Save and continue editing", "Delete", "Cancel", "Search", "Next", "Previous", "Prev",
    "Login", "Log in", "Logout", "Log out", "Sign in", "Sign out", "Password", "Username", "Required",
    "This field", "Select", "Choose", "Loading", "Error", "Not Found", "Forbidden", "Server Error", "Page",
    "Edit", "Add", "Remove", "Back", "Close", "Home", "Upload", "Download", "Filter", "Reset", "Show", "Hide",
    "Clear", "Currently", "Change", "Browse", "Yes", "None", "True", "False", "Unknown", "Dashboard", "Settings",
    "Profile", "Actions", "Action", "Status", "Name", "Date", "Total", "Details", "View", "Create", "Update",
    "Confirm", "Continue", "Please", "Sorry", "Enter a valid", "Ensure this value", "is required", "invalid",
    "Invalid", "characters", "No file chosen", "Choose File", "Django", "Bad Request", "CSRF", "Welcome",
    "of", "---------",
)
# English words that make an ASCII-only run of words a sentence; none is a Vietnamese word written without marks
# ("in", "to", "an", "no", "can", "may", "ban", "cho" are left out on purpose).
FUNCTION_WORDS = frozenset(
    "the is are this that these those for with and or not be been you your please was were will must from "
    "there here which should would could has have had it its our we they their what when where who how".split())

# Pieces of text that are not words to read: addresses, paths, file names, codes, numbers.
_NOT_WORDS = re.compile(r"""https?://\S+|[\w.+-]+@[\w.-]+|(?<!\w)/[\w/.\-{}?=&%]*|[\w-]+\.(?:docx|xlsx|pdf|csv|png|jpg)\b
                            |\b[A-Z0-9]+(?:[-_.][A-Z0-9]+)+\b""", re.X)
_WORD = r"[^\W\d_]+"
_ASCII_RUN = re.compile(r"(?<![^\W\d_])(?:[A-Za-z]+[ ,]+){2,}[A-Za-z]+(?![^\W\d_])")


def _pattern(phrase: str) -> re.Pattern[str]:
    flags = re.IGNORECASE if " " in phrase else 0
    body = re.escape(phrase)
    if phrase[0].isalpha():
        body = r"(?<![^\W_])" + body + r"(?![^\W_])"
    return re.compile(body, flags)


_KNOWN = [(p, _pattern(p)) for p in KNOWN]


def english_in(texts: Iterable[str], allow: Iterable[str] = ()) -> list[str]:
    """The English found in `texts`: each known string, and each ASCII-only run of three or more words of which at
    least two are English function words. `allow` names texts known to be data, not interface (a seed's own
    English, if any)."""
    allowed = set(allow)
    found: list[str] = []
    for raw in texts:
        text = _NOT_WORDS.sub(" ", raw or "")
        for phrase, pat in _KNOWN:
            for m in pat.finditer(text):
                line = _line(text, m.start())
                if phrase not in allowed and line not in allowed:
                    found.append(f"“{phrase}” trong: {line}")
        for m in _ASCII_RUN.finditer(text):
            words = re.findall(_WORD, m.group(0).lower())
            if sum(w in FUNCTION_WORDS for w in words) >= 2 and m.group(0) not in allowed:
                found.append(f"câu tiếng Anh: {m.group(0).strip()}")
    return list(dict.fromkeys(found))


def _line(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return text[start:end if end >= 0 else len(text)].strip()[:160]


def check(pages: Iterable[tuple[str, list[str]]]) -> None:
    """Raise AssertionError listing, per page, the English a user would read there."""
    problems = []
    for url, texts in pages:
        problems += [f"{url}: {f}" for f in english_in(texts)]
    if problems:
        raise AssertionError("Có chữ tiếng Anh trên trang:\n" + "\n".join(dict.fromkeys(problems)))


# Runs in the page (an init script of the browser context): what a user reads, sent to Python on load and after
# every htmx swap. Hidden elements are skipped by innerText; attributes are read from visible elements only.
COLLECTOR = """
(() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const read = () => {
    if (!document.body || !window.__danvanEnglish) return;
    const texts = [document.title, document.body.innerText];
    const sel = '[title],[placeholder],[aria-label],[alt],input[type=submit],input[type=button],input[type=reset],'
              + 'button[value],select';
    for (const el of document.querySelectorAll(sel)) {
      if (!visible(el) && !(el.closest && el.closest('svg'))) continue;
      for (const a of ['title', 'placeholder', 'aria-label', 'alt']) {
        if (el.hasAttribute(a)) texts.push(el.getAttribute(a));
      }
      if (el.matches('input[type=submit],input[type=button],input[type=reset]')) texts.push(el.value);
      if (el.tagName === 'SELECT') for (const o of el.options) texts.push(o.text);
    }
    window.__danvanEnglish(location.pathname + location.search, texts);
  };
  window.addEventListener('load', read);
  document.addEventListener('htmx:afterSettle', read);
})();
"""
