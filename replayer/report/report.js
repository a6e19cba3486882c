// The sweep report's timeline and failure filters.  Data comes from the
// JSON block the report embeds; nothing is fetched.
"use strict";
(function () {
	const data = JSON.parse(document.getElementById("data").textContent);
	const COLORS = { program: "#888", erase: "#c33", mark: "#36c",
		verdicts: ["#3a3", "#d00", "#f90", "#93c"],
		// by what a program wrote (flash_areas.h): UBI headers, UBI's own
		// volumes, a volume's data, UBIFS's areas
		areas: ["#888", "#bbb", "#999", "#a3a", "#666", "#000", "#c4a", "#e80",
			"#08a", "#a50", "#4a4"] };
	const OPS_H = 220, ROW_H = 14, LABEL_H = 16, MIN_SPAN = 20;
	const tl = document.getElementById("tl");
	const opsCanvas = document.getElementById("ops");
	const vCanvas = document.getElementById("verdicts");
	const labels = document.getElementById("labels");
	const rangeText = document.getElementById("range");
	const models = data.models;
	const view = { from: data.start, to: data.last };

	function width() { return tl.clientWidth; }
	function x(seq) { return (seq - view.from) * width() / (view.to - view.from); }
	function seqAt(px) { return view.from + px * (view.to - view.from) / width(); }

	function setup(canvas, h) {
		const r = window.devicePixelRatio || 1;
		canvas.width = width() * r;
		canvas.height = h * r;
		canvas.style.width = width() + "px";
		canvas.style.height = h + "px";
		const g = canvas.getContext("2d");
		g.setTransform(r, 0, 0, r, 0, 0);
		return g;
	}

	function drawOps() {
		const g = setup(opsCanvas, OPS_H);
		const bh = Math.max(2, OPS_H / data.blocks);
		const w = Math.max(2, width() / (view.to - view.from));
		for (const [seq, kind, block, area] of data.ops) {
			if (seq < view.from - 1 || seq > view.to + 1)
				continue;
			g.fillStyle = kind === 1 ? COLORS.erase : COLORS.areas[area] || COLORS.program;
			g.fillRect(x(seq), block * OPS_H / data.blocks, w, bh);
		}
		// marks under the ops' colours: a crowded workload has many
		g.strokeStyle = "rgba(51, 102, 204, 0.35)";
		for (const [seq] of data.marks) {
			if (seq < view.from || seq > view.to)
				continue;
			g.beginPath();
			g.moveTo(x(seq) + 0.5, 0);
			g.lineTo(x(seq) + 0.5, OPS_H);
			g.stroke();
		}
	}

	function drawVerdicts() {
		const g = setup(vCanvas, ROW_H * models.length);
		const w = Math.max(1, width() / (view.to - view.from));
		// failures last, and wider, so that passes never hide them
		for (const pass of [true, false])
			for (const [n, m, v] of data.points) {
				if ((v === 0) !== pass || n < view.from - 1 || n > view.to + 1)
					continue;
				g.fillStyle = COLORS.verdicts[v];
				g.fillRect(x(n), m * ROW_H + 1, pass ? w : Math.max(3, w), ROW_H - 2);
			}
		g.fillStyle = "#000";
		g.font = "10px sans-serif";
		models.forEach((name, i) => g.fillText(name, 2, i * ROW_H + 11));
	}

	// Mark labels left to right; one that would overlap the last shown is
	// hidden (its line stays, and its name shows on hover or zoom).
	function placeLabels() {
		labels.style.top = OPS_H + "px";
		let right = -Infinity;
		for (const el of labels.children) {
			const seq = +el.dataset.seq;
			const px = x(seq);
			el.style.left = px + "px";
			el.classList.toggle("hidden", true);
			if (seq < view.from || seq > view.to)
				continue;
			el.classList.remove("hidden");
			const w = el.offsetWidth;
			if (px < right + 4 || px + w > width()) {
				el.classList.add("hidden");
				continue;
			}
			right = px + w;
		}
		labels.style.height = LABEL_H + "px";
		vCanvas.style.marginTop = LABEL_H + "px";
	}

	function draw() {
		drawOps();
		placeLabels();
		drawVerdicts();
		rangeText.textContent = "ops " + Math.round(view.from) + " to " + Math.round(view.to);
	}

	function zoom(factor, at) {
		const center = at === undefined ? (view.from + view.to) / 2 : at;
		let span = Math.max(MIN_SPAN, (view.to - view.from) / factor);
		span = Math.min(span, data.last);
		view.from = Math.max(0, Math.min(center - span / 2, data.last - span));
		view.to = view.from + span;
		draw();
	}

	function pan(ops) {
		const span = view.to - view.from;
		view.from = Math.max(0, Math.min(view.from + ops, data.last - span));
		view.to = view.from + span;
		draw();
	}

	function reset(all) {
		view.from = all ? 0 : data.start;
		view.to = data.last;
		draw();
	}

	// the legend of the areas the programs wrote, those present only
	const present = new Set(data.ops.filter((o) => o[1] === 0 && o[3] > 0).map((o) => o[3]));
	const areas = document.getElementById("areas");
	for (const a of Array.from(present).sort((p, q) => p - q)) {
		const sw = document.createElement("span");
		sw.className = "sw";
		sw.style.background = COLORS.areas[a];
		areas.append(sw, " " + data.areas[a] + "  ");
	}
	if (present.size)
		areas.prepend("Programs by what they wrote: ");

	for (const [seq, name] of data.marks) {
		const el = document.createElement("span");
		el.className = "label";
		el.dataset.seq = seq;
		el.textContent = name;
		el.title = name + " (after op " + seq + ")";
		labels.appendChild(el);
	}

	// the failure nearest a click in the verdict band opens
	vCanvas.addEventListener("click", (ev) => {
		const n = seqAt(ev.offsetX), m = Math.floor(ev.offsetY / ROW_H);
		let best = null;
		for (const [fn, fm, id] of data.failures)
			if (fm === m && (best === null || Math.abs(fn - n) < Math.abs(best[0] - n)))
				best = [fn, id];
		if (best && Math.abs(x(best[0]) - ev.offsetX) < 8)
			openFailure(best[1]);
	});
	tl.addEventListener("wheel", (ev) => {
		ev.preventDefault();
		zoom(ev.deltaY < 0 ? 1.5 : 1 / 1.5, seqAt(ev.offsetX));
	}, { passive: false });
	let drag = null;
	tl.addEventListener("mousedown", (ev) => { drag = ev.clientX; });
	window.addEventListener("mouseup", () => { drag = null; });
	window.addEventListener("mousemove", (ev) => {
		if (drag === null)
			return;
		pan((drag - ev.clientX) * (view.to - view.from) / width());
		drag = ev.clientX;
	});
	tl.addEventListener("keydown", (ev) => {
		const step = (view.to - view.from) / 10;
		const keys = { "ArrowLeft": () => pan(-step), "ArrowRight": () => pan(step),
			"+": () => zoom(2), "=": () => zoom(2), "-": () => zoom(0.5),
			"0": () => reset(false), "a": () => reset(true) };
		if (keys[ev.key]) {
			keys[ev.key]();
			ev.preventDefault();
		}
	});
	document.getElementById("zin").onclick = () => zoom(2);
	document.getElementById("zout").onclick = () => zoom(0.5);
	document.getElementById("zfirst").onclick = () => reset(false);
	document.getElementById("zall").onclick = () => reset(true);
	window.addEventListener("resize", draw);

	// ---- the failures table -------------------------------------------------

	const rows = Array.from(document.querySelectorAll("#failures details"));
	const filters = ["fmodel", "fverdict", "fmark", "farea"].map((id) => document.getElementById(id));
	const text = document.getElementById("ftext");

	function filter() {
		const want = filters.map((f) => f.value);
		const words = text.value.toLowerCase();
		let shown = 0;
		for (const r of rows) {
			const ok = (!want[0] || r.dataset.model === want[0]) &&
				(!want[1] || r.dataset.verdict === want[1]) &&
				(!want[2] || r.dataset.mark === want[2]) &&
				(!want[3] || r.dataset.area === want[3]) &&
				(!words || r.textContent.toLowerCase().includes(words));
			r.classList.toggle("hidden", !ok);
			shown += ok;
		}
		document.getElementById("fcount").textContent = shown + " of " + rows.length + " shown";
	}
	filters.forEach((f) => f.addEventListener("change", filter));
	text.addEventListener("input", filter);

	function openFailure(id) {
		const r = document.getElementById(id);
		if (!r || r.tagName !== "DETAILS")
			return;
		r.classList.remove("hidden");
		r.open = true;
		r.scrollIntoView({ block: "center" });
		r.querySelector("summary").focus();
	}
	if (location.hash.length > 1 && document.getElementById(location.hash.slice(1)))
		openFailure(location.hash.slice(1));

	for (const b of document.querySelectorAll("button.copy"))
		b.addEventListener("click", () => {
			const cmd = b.previousElementSibling.textContent;
			if (navigator.clipboard)
				navigator.clipboard.writeText(cmd).then(() => { b.textContent = "Copied"; });
		});

	// ---- a check of the layout, for the tests: #selftest -------------------

	function overlaps() {
		const boxes = Array.from(labels.querySelectorAll(".label:not(.hidden)"))
			.map((el) => el.getBoundingClientRect());
		let n = 0;
		for (let i = 0; i < boxes.length; i++)
			for (let j = i + 1; j < boxes.length; j++)
				if (boxes[i].left < boxes[j].right && boxes[j].left < boxes[i].right &&
				    boxes[i].top < boxes[j].bottom && boxes[j].top < boxes[i].bottom)
					n++;
		return [boxes.length, n];
	}

	// what a user does, done by script: keys, a click on a failure, a filter
	function interactions(out) {
		reset(false);
		const span = view.to - view.from;
		tl.dispatchEvent(new KeyboardEvent("keydown", { key: "+" }));
		out.push("key +: " + (view.to - view.from < span ? "zoomed in" : "no zoom"));
		tl.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight" }));
		reset(false);
		if (data.failures.length) {
			const [n, m, id] = data.failures[0];
			const box = vCanvas.getBoundingClientRect();
			vCanvas.dispatchEvent(new MouseEvent("click", { bubbles: true,
				clientX: box.left + x(n) + 1, clientY: box.top + m * ROW_H + ROW_H / 2 }));
			out.push("click on failure " + id + ": " +
				(document.getElementById(id).open ? "opened" : "closed"));
			for (const [f, what] of [[filters[0], "model"], [filters[3], "area"]]) {
				f.value = f.options[f.options.length - 1].value;
				f.dispatchEvent(new Event("change"));
				out.push("filter " + what + " " + f.value + ": " +
					document.getElementById("fcount").textContent);
				f.value = "";
				filter();
			}
		}
	}

	draw();
	filter();
	if (location.hash === "#selftest") {
		const out = [];
		reset(true);
		for (const z of [1, 4, 16, 64]) {
			const [shown, bad] = overlaps();
			out.push("zoom " + z + ": " + shown + " of " + data.marks.length +
				" labels shown, " + bad + " overlapping");
			zoom(4);
		}
		interactions(out);
		reset(false);
		const el = document.getElementById("selftest");
		el.textContent = out.join("\n");
		el.dataset.done = "1";
		// the verdict as a colour too, for browsers that only take screenshots
		const bad = out.some((line) => / [1-9][0-9]* overlapping|: 0 of [0-9]+ labels|no zoom|closed/.test(line));
		const banner = document.createElement("div");
		banner.id = "selftest-verdict";
		banner.style.cssText = "position:fixed;left:0;top:0;width:64px;height:64px;z-index:9;" +
			"background:" + (bad ? "#ff0000" : "#00ff00");
		document.body.appendChild(banner);
		window.scrollTo(0, 0);
	}
})();
