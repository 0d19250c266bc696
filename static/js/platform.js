/* Platform behaviour: AJAX relation selects, cascading region selects,
   and the department form's reform-status field. No external assets. */
(function ($) {
  "use strict";

  // Translated texts come from the page (rendered through gettext), never from this file.
  function select2Language() {
    var texts = $("#platform-i18n");
    function text(name) { return function () { return texts.data(name) || ""; }; }
    return {
      searching: text("searching"),
      noResults: text("no-results"),
      inputTooShort: text("input-too-short"),
      errorLoading: text("error-loading"),
      loadingMore: text("loading-more")
    };
  }

  // Flask-AppBuilder's own scripts carry a few English texts: translate them here.
  var fabAlert = window.ab_alert;
  if (typeof fabAlert === "function") {
    window.ab_alert = function (text) {
      var texts = $("#platform-i18n");
      fabAlert(text === "No row selected" ? texts.data("no-row-selected") : text);
    };
  }
  if ($.fn.select2) {
    $.fn.select2.defaults.set("language", select2Language());
  }

  // Links that stand for a POST (signing out): they submit the page's form with its CSRF token.
  $(document).on("click", "a[data-submit-form]", function (event) {
    var form = document.getElementById($(this).data("submit-form"));
    if (form) {
      event.preventDefault();
      form.submit();
    }
  });

  // A list row's delete button: Flask-AppBuilder's confirmation dialog, with the row's link and
  // the translated question from the button (one listener instead of a script per row).
  $(document).on("click", "a[data-delete-url]", function (event) {
    event.preventDefault();
    new window.AdminActions().execute_single_delete($(this).data("delete-url"), $(this).data("confirmation"));
  });

  function initFabSelects(root) {
    var placeholder = $("#platform-i18n").data("select");
    $(root).find("select.my_select2").not(".filter-op").each(function () {
      $(this).select2({ placeholder: placeholder, allowClear: true, theme: "bootstrap", language: select2Language() });
    });
  }

  // A search filter's value comes back in the URL (?_flt_0_department=5): show it as the chosen option.
  function restoreFilterValue(elem) {
    var name = elem.attr("name") || "";
    if (name.indexOf("_flt_") !== 0 || elem.val()) { return; }
    var value = new URLSearchParams(window.location.search).get(name);
    if (!value) { return; }
    $.getJSON(elem.data("url"), { q: value }, function (data) {
      $.each(data.results, function (_i, row) {
        if (String(row.id) === value) {
          elem.append(new Option(row.text, row.id, true, true)).trigger("change");
        }
      });
    });
  }

  function initAjaxSelects(root) {
    $(root).find("select.platform-ajax-select").each(function () {
      var elem = $(this);
      if (elem.data("select2")) { return; }
      restoreFilterValue(elem);
      elem.select2({
        theme: "bootstrap",
        width: "100%",
        allowClear: elem.data("allow-clear") === true || elem.data("allow-clear") === "true",
        placeholder: elem.data("placeholder") || "",
        language: select2Language(),
        ajax: {
          url: elem.data("url"),
          dataType: "json",
          delay: 250,
          data: function (params) { return { q: params.term || "" }; },
          processResults: function (data) { return { results: data.results }; }
        }
      });
    });
  }

  function initRegionCascades(root) {
    $(root).find(".region-cascade").each(function () {
      var box = $(this);
      var hidden = box.find("input[type=hidden]");
      var selects = box.find("select.region-level");
      var empty = box.data("empty");

      function refreshValue() {
        var value = "";
        selects.each(function () { if ($(this).val()) { value = $(this).val(); } });
        hidden.val(value).trigger("change");
      }

      selects.on("change", function () {
        var depth = parseInt($(this).data("depth"), 10);
        var chosen = $(this).val();
        selects.each(function () {
          if (parseInt($(this).data("depth"), 10) > depth) {
            $(this).empty().append($("<option>").val("").text(empty));
          }
        });
        refreshValue();
        var next = selects.filter("[data-depth=" + (depth + 1) + "]");
        if (!chosen || !next.length) { return; }
        $.getJSON(box.data("url"), { parent: chosen }, function (data) {
          $.each(data.results, function (_i, region) {
            next.append($("<option>").val(region.id).text(region.text));
          });
        });
      });
    });
  }

  function initReformStatus(root) {
    var kind = $(root).find("select#kind");
    var reform = $(root).find("select#reform_status");
    if (!kind.length || !reform.length) { return; }
    var row = reform.closest("tr, .form-group");
    function toggle() {
      if (kind.val() === "institution") { row.show(); } else { row.hide(); reform.val(""); }
    }
    kind.on("change", toggle);
    toggle();
  }

  // Flask-AppBuilder adds search filters to the page on demand: set up their selects as they appear.
  function watchFilters() {
    var box = document.querySelector(".filters");
    if (!box || !window.MutationObserver) { return; }
    new MutationObserver(function () {
      initAjaxSelects(box);
    }).observe(box, { childList: true, subtree: true });
    initAjaxSelects(box);
  }

  window.platformInitAjaxSelects = initAjaxSelects;

  $(function () {
    initFabSelects(document);
    initAjaxSelects(document);
    watchFilters();
    initRegionCascades(document);
    initReformStatus(document);
  });
})(jQuery);

/* The minutes editor: add, remove and reorder agenda items and resolutions. */
(function ($) {
  "use strict";

  function renumberPositions(table) {
    $(table).find("tr.agenda-row").each(function (index) {
      $(this).find("input[name$='-position']").val(index + 1);
    });
  }

  $(function () {
    var editor = $("#minutes-editor");
    if (!editor.length) { return; }
    var counters = {};
    editor.find("table[data-prefix]").each(function () {
      counters[this.id] = $(this).find("tbody > tr").length;
    });

    editor.on("click", ".row-add", function () {
      var tableId = $(this).data("target");
      var template = document.getElementById($(this).data("template"));
      var prefix = $("#" + tableId).data("prefix");
      var index = counters[tableId]++;
      var html = template.innerHTML.split(prefix + "-0-").join(prefix + "-" + index + "-");
      var row = $(html);
      row.find("input, textarea").not("[type=hidden]").val("");
      row.find("input[name$='-item_id'], input[name$='-item_version']").val("");
      row.find("select.platform-ajax-select").empty();
      $("#" + tableId + " > tbody").append(row);
      if (window.platformInitAjaxSelects) { window.platformInitAjaxSelects(row); }
      renumberPositions($("#" + tableId));
    });

    editor.on("click", ".row-remove", function () {
      var table = $(this).closest("table");
      $(this).closest("tr").remove();
      renumberPositions(table);
    });

    editor.on("click", ".row-up, .row-down", function () {
      var row = $(this).closest("tr");
      if ($(this).hasClass("row-up")) { row.prev().before(row); } else { row.next().after(row); }
      renumberPositions(row.closest("table"));
    });
  });
})(jQuery);
