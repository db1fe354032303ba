/* Title suggestions for search boxes (progressive enhancement: the forms work without it).
 *
 * Every search input of the skin's search box, and every input marked data-suggest="titles",
 * gets a <datalist> filled from GET /api/v1/search/titles?prefix=... as the user types, so
 * the browser offers matching page titles. Requests are debounced and stale answers ignored.
 */
(function () {
  "use strict";
  var DELAY_MS = 120;
  var counter = 0;

  function attach(input) {
    var list = document.createElement("datalist");
    list.id = "search-titles-" + (++counter);
    input.setAttribute("list", list.id);
    input.parentNode.appendChild(list);
    var timer = null;
    var latest = "";

    function fill(titles) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      titles.forEach(function (title) {
        var option = document.createElement("option");
        option.value = title;
        list.appendChild(option);
      });
    }

    function fetchTitles() {
      var prefix = input.value.trim();
      latest = prefix;
      if (!prefix) { fill([]); return; }
      fetch("/api/v1/search/titles?limit=10&prefix=" + encodeURIComponent(prefix), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : { titles: [] }; })
        .then(function (data) { if (data.prefix === latest) { fill(data.titles || []); } })
        .catch(function () { /* suggestions are optional */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchTitles, DELAY_MS);
    });
  }

  function init() {
    var inputs = document.querySelectorAll('form.searchbox input[name="search"], input[data-suggest="titles"]');
    Array.prototype.forEach.call(inputs, attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
