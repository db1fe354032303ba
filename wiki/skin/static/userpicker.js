/* User picker: completes user names in inputs marked data-userpicker="<endpoint>".
   Progressive: without this script the input is a plain text box. */
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var endpoint = input.getAttribute("data-userpicker");
    var timer = null, last = null;
    input.addEventListener("input", function () {
      var prefix = input.value.trim();
      clearTimeout(timer);
      if (!prefix || prefix === last) { return; }
      timer = setTimeout(function () {
        last = prefix;
        fetch(endpoint + "?prefix=" + encodeURIComponent(prefix), {credentials: "same-origin",
              headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {users: []}; })
          .then(function (data) {
            while (list.firstChild) { list.removeChild(list.firstChild); }
            (data.users || []).forEach(function (name) {
              var option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
            input.setAttribute("data-userpicker-loaded", String((data.users || []).length));
          })
          .catch(function () { /* completion is a convenience; typing still works */ });
      }, 150);
    });
  }
  function init() {
    var inputs = document.querySelectorAll("input[data-userpicker]");
    for (var i = 0; i < inputs.length; i++) { attach(inputs[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
