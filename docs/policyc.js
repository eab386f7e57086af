// Written by hand: keyboard access to regions that scroll (WCAG 2.1.1).
(function () {
  function heading(el) {
    for (let n = el; n; n = n.previousElementSibling || n.parentElement) {
      if (/^H[1-6]$/.test(n.tagName)) return n.textContent.replace(/¶$/, "").trim();
    }
    return document.title;
  }
  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset__table, .policyc-figure, .policyc-scroll, pre > code")
      .forEach(function (el) {
        const scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
        if (!scrolls || el.hasAttribute("tabindex")) return;
        el.setAttribute("tabindex", "0");
        if (!el.hasAttribute("role")) el.setAttribute("role", "region");
        if (!el.hasAttribute("aria-label")) {
          const what = el.classList.contains("policyc-figure") ? "Figure" : el.tagName === "CODE" ? "Code" : "Table";
          el.setAttribute("aria-label", what + ": " + heading(el) + " (scrolls sideways)");
        }
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark); else mark();
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(mark);
})();
