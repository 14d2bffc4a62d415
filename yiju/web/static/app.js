// The basis editor checks what is typed with the server's own citation logic (POST /api/cite),
// a moment after typing stops. Without JavaScript the "检查引用" button does the same.
(function () {
  "use strict";
  var box = document.getElementById("basis");
  var out = document.getElementById("check");
  if (!box || !out) return;
  var token = document.querySelector("input[name=csrf_token]").value;
  var timer = null;
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; }
  function list(cls, items) { var ul = el("ul", cls); items.forEach(function (t) { ul.appendChild(el("li", null, t)); }); return ul; }
  function show(data) {
    out.textContent = "";
    if (data.errors.length) out.appendChild(list("errors", data.errors));
    if (data.citations.length) {
      var ul = el("ul", "cites");
      data.citations.forEach(function (c) {
        var li = el("li", c.resolution, c.written + " → " + (c.law_id ? "《" + c.law + "》" + c.where : (c.law || "（未识别的法律）")) + " ");
        li.appendChild(el("span", "tag", c.resolution_name));
        ul.appendChild(li);
      });
      out.appendChild(ul);
    }
    if (data.warnings.length) out.appendChild(list("warnings", data.warnings));
    var submit = document.getElementById("submit-basis");
    if (submit) submit.disabled = data.errors.length > 0;
  }
  function check() {
    var body = new URLSearchParams();
    body.set("basis", box.value);
    body.set("csrf_token", token);
    fetch(box.dataset.check, { method: "POST", body: body, credentials: "same-origin",
                               headers: { "X-CSRF-Token": token } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) show(data); });
  }
  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
  check();
})();
