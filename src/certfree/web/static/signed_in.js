"use strict";
// The provider's token goes where the page keeps its sign-in (static/sign_in.js), then the
// page opens; replace() keeps this callback, with its code, out of the history.
const PAGE = JSON.parse(document.getElementById("page-data").textContent);
sessionStorage.setItem(PAGE.key, JSON.stringify(PAGE.session));
location.replace(PAGE.return_to);
