// "Select all on this page" for tables of checkboxes: shows the header checkbox marked
// data-select-all="<name>" and ticks or clears every checkbox of that name. Without
// JavaScript the page offers a button that decides on all rows shown instead.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var boxes = function () {
      return Array.prototype.slice.call(document.querySelectorAll('input[type="checkbox"][name="' + name + '"]'));
    };
    if (!boxes().length) { return; }
    all.hidden = false;
    var label = document.querySelector('label[for="' + all.id + '"]');
    if (label) { label.hidden = false; }
    var reflect = function () {
      var ticked = boxes().filter(function (box) { return box.checked; }).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    };
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
    });
    boxes().forEach(function (box) { box.addEventListener("change", reflect); });
    reflect();
  });
})();
