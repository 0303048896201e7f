// wagtail-localize's translation editor, in the admin's language: its main button says what it
// does for someone whose translation the network validates, and its "More actions" toggle (a
// word its script does not translate) gets the admin's words. Labels come from the page
// (data-essaim-* attributes of .js-translation-editor); React may re-render, so this follows it.
// The strip above the texts ("français to anglais translation", untranslated in its script)
// says "Traduction : français → anglais"; the upload form's file input gets the name of its button;
// field names get a readable colour.
(() => {
  const editor = document.querySelector(".js-translation-editor");
  if (!editor) return;
  const {
    essaimSubmitLabel: submitLabel,
    essaimMoreActions: moreActions,
    essaimDirection: direction,
    essaimUploadLabel: uploadLabel,
  } = editor.dataset;
  const relabel = () => {
    if (submitLabel) {
      document.querySelectorAll("button[name=action][value=publish]").forEach((button) => {
        const label = button.querySelector("em");
        if (label && label.textContent !== submitLabel && !button.classList.contains("button-longrunning-active")) {
          label.textContent = submitLabel;
        }
      });
    }
    if (moreActions) {
      document.querySelectorAll(".w-dropdown__toggle .w-sr-only").forEach((hidden) => {
        if (hidden.textContent === "More actions") hidden.textContent = moreActions;
      });
    }
    if (direction) {
      editor.querySelectorAll("section > div > h3").forEach((heading) => {
        if (/ to .+ translation$/.test(heading.textContent)) heading.textContent = direction;
      });
    }
    // Its field names are pale teal on white (2.7:1): in the admin's text colour instead.
    editor.querySelectorAll("section > ul > li > h3").forEach((heading) => {
      heading.style.color = "var(--w-color-text-context, #262626)";
    });
    if (uploadLabel) {
      editor.querySelectorAll("input[type=file]:not([aria-label])").forEach((input) => {
        input.setAttribute("aria-label", uploadLabel);
      });
    }
  };
  new MutationObserver(relabel).observe(document.body, { childList: true, subtree: true, characterData: true });
  relabel();
})();
