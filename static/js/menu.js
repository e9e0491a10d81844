// The header's menu (language, sign out) is a <details>: it works without script; this only
// closes it the way a menu is expected to close, on Escape and on a tap elsewhere.

const menu = document.querySelector("details.menu");

if (menu) {
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
}
