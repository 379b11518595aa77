// The patrol page: a photo taken with the phone's camera is sent as soon as it is
// taken (without JavaScript, the form's own button sends it).
"use strict";
document.addEventListener("change", (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.hasAttribute("data-autosubmit") && input.files.length) {
    input.form.submit();
  }
});
