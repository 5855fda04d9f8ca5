// govnet NOC page: poll /api/live and swap the live parts in (no reload, no CDN, no framework).
(function () {
  "use strict";
  var body = document.body;
  var district = body.getAttribute("data-district");
  var refresh = parseFloat(body.getAttribute("data-refresh") || "5") * 1000;
  var note = document.getElementById("live-note");
  var select = document.getElementById("district-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  if (!district) { return; }
  function tick() {
    fetch("/api/live?district=" + encodeURIComponent(district), { cache: "no-store" })
      .then(function (resp) {
        if (!resp.ok) { throw new Error("HTTP " + resp.status); }
        return resp.json();
      })
      .then(function (data) {
        Object.keys(data.parts).forEach(function (id) {
          var el = document.getElementById(id);
          if (el) { el.innerHTML = data.parts[id]; }
        });
        body.setAttribute("data-cycle", String(data.cycle));
        note.textContent = "live · updated " + new Date().toLocaleTimeString();
        note.className = "live-note";
      })
      .catch(function (err) {
        note.textContent = "? exporter not answering (" + err.message + "), retrying";
        note.className = "live-note stale";
      })
      .then(function () { window.setTimeout(tick, refresh); });
  }
  window.setTimeout(tick, refresh);
})();
