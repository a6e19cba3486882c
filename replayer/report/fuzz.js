// A fuzz campaign report's filters and copy buttons.  Nothing is fetched.
"use strict";
(function () {
	const rows = Array.from(document.querySelectorAll("details.finding"));
	const verdict = document.getElementById("fverdict");
	const text = document.getElementById("ftext");
	const count = document.getElementById("fcount");

	function filter() {
		const v = verdict.value, t = text.value.toLowerCase();
		let shown = 0;
		for (const r of rows) {
			const show = (!v || r.dataset.verdict === v) &&
				(!t || r.textContent.toLowerCase().includes(t));
			r.classList.toggle("hidden", !show);
			shown += show;
		}
		count.textContent = shown + " of " + rows.length + " shown";
	}
	verdict.addEventListener("change", filter);
	text.addEventListener("input", filter);
	filter();

	for (const b of document.querySelectorAll("button.copy"))
		b.addEventListener("click", () => {
			const cmd = b.previousElementSibling.textContent;
			if (navigator.clipboard)
				navigator.clipboard.writeText(cmd).then(() => { b.textContent = "Copied"; });
		});
	if (location.hash.length > 1) {
		const r = document.getElementById(location.hash.slice(1));
		if (r && r.tagName === "DETAILS")
			r.open = true;
	}
})();
