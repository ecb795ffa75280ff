// The roadmap board: drag and drop between and within columns, and Alt+arrow keys on a
// focused card. Both post to the move endpoint with the CSRF token the layout puts in the
// body's hx-headers. Without JavaScript the arrow buttons on each card do the same as forms.
(function () {
  "use strict";

  const COLUMNS = ["now", "next", "later"];

  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      return headers["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  function say(board, text) {
    const live = document.querySelector(".rm-live");
    if (live) live.textContent = text;
  }

  function positionOf(card) {
    return Array.from(card.parentElement.querySelectorAll(".rm-card")).indexOf(card);
  }

  async function persist(board, card) {
    const list = card.parentElement;
    const column = list.dataset.column;
    const position = positionOf(card);
    const id = card.dataset.itemId;
    card.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(board.dataset.moveBase + id + "/move", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify({ column: column, position: position }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const title = card.querySelector(".rm-title");
      say(board, (title ? title.textContent : "Item") + " moved to " + column + ", position " + (position + 1) + ".");
      board.dispatchEvent(new CustomEvent("roadmap:moved", { detail: { id: id, column: column, position: position } }));
    } catch (err) {
      say(board, "The move was not saved (" + err.message + "); reloading.");
      window.location.reload();
    } finally {
      card.removeAttribute("aria-busy");
    }
  }

  function cardAfter(list, y) {
    const cards = Array.from(list.querySelectorAll(".rm-card:not(.rm-dragging)"));
    for (const card of cards) {
      const box = card.getBoundingClientRect();
      if (y < box.top + box.height / 2) return card;
    }
    return null;
  }

  function setup(board) {
    let dragged = null;

    board.addEventListener("dragstart", function (event) {
      const card = event.target.closest && event.target.closest(".rm-card");
      if (!card) return;
      dragged = card;
      card.classList.add("rm-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.itemId);
    });

    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("rm-dragging");
      board.querySelectorAll(".rm-over").forEach(function (l) { l.classList.remove("rm-over"); });
      dragged = null;
    });

    board.querySelectorAll(".rm-list").forEach(function (list) {
      list.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        list.classList.add("rm-over");
        const after = cardAfter(list, event.clientY);
        if (after) list.insertBefore(dragged, after);
        else list.appendChild(dragged);
      });
      list.addEventListener("dragleave", function () { list.classList.remove("rm-over"); });
      list.addEventListener("drop", function (event) {
        if (!dragged) return;
        event.preventDefault();
        list.classList.remove("rm-over");
        const card = dragged;
        card.classList.remove("rm-dragging");
        dragged = null;
        persist(board, card);
      });
    });

    board.addEventListener("keydown", function (event) {
      const card = event.target.closest && event.target.closest(".rm-card");
      if (!card || card !== event.target || !event.altKey) return;
      const list = card.parentElement;
      const here = COLUMNS.indexOf(list.dataset.column);
      let target = list;
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        const next = COLUMNS[here + (event.key === "ArrowLeft" ? -1 : 1)];
        if (!next) return;
        target = board.querySelector('.rm-list[data-column="' + next + '"]');
        const index = Math.min(positionOf(card), target.querySelectorAll(".rm-card").length);
        const before = target.querySelectorAll(".rm-card")[index] || null;
        target.insertBefore(card, before);
      } else if (event.key === "ArrowUp") {
        const prev = card.previousElementSibling;
        if (!prev) return;
        list.insertBefore(card, prev);
      } else if (event.key === "ArrowDown") {
        const next = card.nextElementSibling;
        if (!next) return;
        list.insertBefore(next, card);
      } else {
        return;
      }
      event.preventDefault();
      card.focus();
      persist(board, card);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".rm-board[data-move-base]").forEach(setup);
  });
})();
