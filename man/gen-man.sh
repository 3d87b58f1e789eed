#!/bin/sh
# SPDX-License-Identifier: MIT
#
# gen-man.sh OUTDIR VERSION HEADER...: one manual page (section 3) for every
# kernel-doc comment in the public headers, so that the pages say what the
# headers say and cannot drift from them.
#
# A kernel-doc comment starts with "/**" and its first line names what it
# documents, "name() - summary" for a function or function-like macro,
# "struct name - summary" for a struct; "@param: text" lines follow
# (continued on lines indented by a tab), then the description, then
# "Return: ...". The page of a function shows its prototype as declared,
# its arguments, the description, the return value, the flags and enums the
# comment names (a "PREFIX_*" pattern or "enum name": the header's own
# lines, comments included) and SEE ALSO links to the pages of the
# functions and structs it mentions.
#
# Besides the pages, OUTDIR/pages.list gets one line per page for
# tests/check-man.sh: "NAME KIND RETURN PROBLEM...", where KIND is
# function, macro or struct, RETURN says how the return value is described
# (return: a Return: section; summary: a comment that is only the summary
# line, which then names the value; void; none: nothing) and each PROBLEM
# is "undocumented:PARAM" or "unknown:PARAM". Exits 1 if a comment does not
# match the declaration that follows it.
set -e
out=$1 version=$2
shift 2
mkdir -p "$out/man3"
rm -f "$out"/man3/*.3 "$out/pages.list"

exec awk -v out="$out" -v version="$version" '
# ------------------------------------------------------------ read input
{
	gsub(/\r/, "")
	n++
	L[n] = $0
	F[n] = FILENAME
}

# ------------------------------------------------------------ helpers
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

# Tabs to spaces, as an 8-column terminal shows them.
function untab(s,    r, i, c) {
	r = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\t") {
			r = r " "
			while (length(r) % 8)
				r = r " "
		} else
			r = r c
	}
	return r
}

# Escape text for roff: backslashes, minus signs, a leading dot or quote.
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	return s
}
function lead(s) { return (s ~ /^[.\047]/) ? "\\&" s : s }

# Running text: escaped, @params in italics, name() in bold; every
# function and struct it names becomes a SEE ALSO candidate.
function text(s,    r, m) {
	s = esc(s)
	r = ""
	while (match(s, /@[A-Za-z_][A-Za-z0-9_]*/)) {
		r = r substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART + 1, RLENGTH - 1) "\\fP"
		s = substr(s, RSTART + RLENGTH)
	}
	s = r s
	r = ""
	while (match(s, /[A-Za-z_][A-Za-z0-9_]*\(\)/)) {
		m = substr(s, RSTART, RLENGTH - 2)
		refs[m] = 1
		r = r substr(s, 1, RSTART - 1) "\\fB" m "\\fP()"
		s = substr(s, RSTART + RLENGTH)
	}
	return r s
}

# Note what a stretch of raw text refers to: struct pages, flag groups
# (PREFIX_*), enums and single constants.
function scan(s) {
	while (match(s, /struct [a-z_][a-z0-9_]*/)) {
		refs[substr(s, RSTART + 7, RLENGTH - 7)] = 1
		s = substr(s, RSTART + RLENGTH)
	}
}
function scan_groups(s,    m) {
	while (match(s, /[A-Z][A-Z0-9_]*_\*/)) {
		m = substr(s, RSTART, RLENGTH - 1)
		if (!(m in grp_seen)) {
			grp_seen[m] = 1
			grp_list[++ngrp] = "def " m
		}
		s = substr(s, RSTART + RLENGTH)
	}
}
function scan_enums(s,    m) {
	while (match(s, /enum [a-z_][a-z0-9_]*/)) {
		m = substr(s, RSTART + 5, RLENGTH - 5)
		if (!(m in grp_seen)) {
			grp_seen[m] = 1
			grp_list[++ngrp] = "enum " m
		}
		s = substr(s, RSTART + RLENGTH)
	}
}
function scan_consts(s,    m) {
	while (match(s, /XSK_[A-Z0-9_]+/)) {
		m = substr(s, RSTART, RLENGTH)
		consts[m] = 1
		s = substr(s, RSTART + RLENGTH)
	}
}

# Lines of prose (description or return value) as man paragraphs: a blank
# line starts a paragraph, an indented " - " line a bullet, an indented
# "TAG: " line (-EINVAL:, 1:, XSK_FLAG:) a tagged item, a paragraph
# indented by a tab is code shown as it is. Other indented
# lines continue what they follow, except that a line indented like the
# items after one that ended (";", ".") is a paragraph of its own.
function indent(s) { match(s, /^[ \t]*/); return length(untab(substr(s, 1, RLENGTH))) }
function prose(lines, nl, page,    i, s, t, inlist, started, ind, prev) {
	inlist = 0
	started = 0
	prev = ""
	for (i = 1; i <= nl; i++) {
		s = lines[i]
		if (trim(s) == "") {
			if (started)
				print ".PP" > page
			inlist = 0
			started = 0
			prev = ""
			continue
		}
		if (!started && s ~ /^\t/) {
			# a paragraph indented by a tab is code
			print ".EX" > page
			for (; i <= nl && trim(lines[i]) != ""; i++) {
				s = lines[i]
				sub(/^\t/, "", s)
				print lead(esc(untab(s))) > page
				text(s)
			}
			print ".EE" > page
			i--
			started = 1
			continue
		}
		if (s ~ /^[ \t]+- /) {
			ind = indent(s)
			sub(/^[ \t]+- /, "", s)
			print ".IP \\(bu 2" > page
			print lead(text(s)) > page
			inlist = 1
		} else if (s ~ /^[ \t]+-?[A-Z0-9][A-Z0-9_]*(, -?[A-Z0-9][A-Z0-9_]*)*:( |$)/) {
			ind = indent(s)
			t = trim(s)
			sub(/:.*/, "", t)
			s = trim(s)
			sub(/^[^:]*:[ ]*/, "", s)
			print ".TP" > page
			print lead("\\fB" esc(t) "\\fP") > page
			if (s != "")
				print lead(text(s)) > page
			inlist = 1
		} else if (s ~ /^[ \t]/ && !(inlist && indent(s) == ind && prev ~ /[;.]$/)) {
			print lead(text(trim(s))) > page
		} else {
			if (inlist)
				print ".PP" > page
			inlist = 0
			print lead(text(trim(s))) > page
		}
		prev = trim(s)
		started = 1
	}
}

# Header lines verbatim, as an example block.
function verbatim(a, b, page,    i) {
	print ".PP" > page
	print ".EX" > page
	for (i = a; i <= b; i++) {
		print lead(esc(untab(L[i]))) > page
		text(L[i])
	}
	print ".EE" > page
}

# Where the comment lines above line i start (blank lines stop the walk).
function comment_above(i) {
	while (i > 1 && L[i - 1] ~ /^[ \t]*(\/\*|\*)/ && L[i - 1] !~ /^\/\*\*/)
		i--
	return i
}

# The definitions of a flag group or an enum, as the header writes them.
function constants(page,    g, kind, name, i, a, b, first) {
	first = 1
	for (g = 1; g <= ngrp; g++) {
		split(grp_list[g], kind, " ")
		name = kind[2]
		a = 0
		b = 0
		if (kind[1] == "def") {
			for (i = 1; i <= n; i++)
				if (L[i] ~ /^#define / && index(L[i], "#define " name) == 1 &&
				    (a == 0 || F[i] == F[a])) {
					if (a == 0)
						a = i
					b = i
				}
		} else {
			for (i = 1; i <= n; i++)
				if (L[i] == "enum " name " {") {
					a = i
					for (b = i; b < n && L[b] !~ /^};/; b++)
						;
					break
				}
		}
		if (a == 0)
			continue
		print (first ? ".SH CONSTANTS" : ".PP") > page
		first = 0
		if (kind[1] == "def")
			print lead("From \\fI<" hdr(F[a]) ">\\fP, the \\fB" esc(name) "*\\fP values:") > page
		else
			print lead("From \\fI<" hdr(F[a]) ">\\fP, \\fBenum " esc(name) "\\fP:") > page
		verbatim(comment_above(a), b, page)
		# a group documented here is where its constants are looked up
		if (kind[1] == "def" && !(name in group_page))
			group_page[name] = cur
	}
}

function hdr(f) { sub(/^.*include\//, "", f); return f }

# Split a parameter list into types and names.
function params(list,    i, p, parts, np) {
	np = split(list, parts, ",")
	nparam = 0
	for (i = 1; i <= np; i++) {
		p = trim(parts[i])
		if (p == "void" || p == "")
			continue
		nparam++
		if (p == "...") {
			ptype[nparam] = ""
			pname[nparam] = "..."
			continue
		}
		if (match(p, /[A-Za-z_][A-Za-z0-9_]*$/)) {
			pname[nparam] = substr(p, RSTART)
			ptype[nparam] = substr(p, 1, RSTART - 1)
		} else {
			pname[nparam] = p
			ptype[nparam] = ""
		}
	}
}

# The prototype, one parameter a line, aligned under the first; the return
# type on its own line when the head is long.
function synopsis(head, page,    i, pad, line, w) {
	w = 0
	for (i = 1; i <= nparam; i++)
		if (length(ptype[i] pname[i]) > w)
			w = length(ptype[i] pname[i])
	if (length(head) + w > 66 && match(head, /[ *][A-Za-z_][A-Za-z0-9_]*\($/)) {
		print lead("\\fB" esc(trim(substr(head, 1, RSTART))) "\\fP") > page
		head = substr(head, RSTART + 1)
	}
	if (kind == "macro") {
		line = head
		for (i = 1; i <= nparam; i++)
			line = line (i > 1 ? ", " : "") "\\fI" esc(pname[i]) "\\fB"
		print lead("\\fB" esc(head) "\\fP" substr(line, length(head) + 1) ")\\fP") > page
		return
	}
	pad = head
	gsub(/./, " ", pad)
	if (nparam == 0) {
		print lead("\\fB" esc(head) "void);\\fP") > page
		return
	}
	for (i = 1; i <= nparam; i++) {
		line = (i == 1 ? head : pad)
		line = "\\fB" esc(line ptype[i]) "\\fP\\fI" esc(pname[i]) "\\fP"
		line = line "\\fB" (i < nparam ? "," : ");") "\\fP"
		print lead(line) > page
	}
}

# ------------------------------------------------------------ one comment
function page_of(a, b,    i, s, j, hd, decl, nm, head, plist, sect, nd,
		 desc, nr, ret, np, doc, retkind, problems, page, k, x, xv, seen) {
	# the comment text, without the comment markers
	nd = 0
	for (i = a; i <= b; i++) {
		s = L[i]
		if (i == b)
			sub(/[ \t]*\*\/[ \t]*$/, "", s)
		if (i == a)
			sub(/^[ \t]*\/\*\*[ ]?/, "", s)
		else
			sub(/^[ \t]*\*( |$)?/, "", s)
		if (i == a && trim(s) == "")
			continue
		if (i == b && trim(s) == "" && a != b)
			continue
		doc[++nd] = s
	}
	if (nd == 0)
		return
	# first line(s): the name and the summary, up to a blank or @ line
	hd = trim(doc[1])
	j = 2
	while (j <= nd && trim(doc[j]) != "" && doc[j] !~ /^@/ && doc[j] !~ /^Return:/) {
		hd = hd " " trim(doc[j])
		j++
	}
	if (hd ~ /^struct [a-z_][a-z0-9_]* - /) {
		kind = "struct"
		nm = hd
		sub(/^struct /, "", nm)
		sub(/ - .*/, "", nm)
	} else if (hd ~ /^[A-Za-z_][A-Za-z0-9_]*\(\) - /) {
		kind = "function"
		nm = hd
		sub(/\(\) - .*/, "", nm)
	} else {
		printf "%s:%d: a kernel-doc comment must start with \"name() - \" or \"struct name - \"\n", F[a], a - first_line[F[a]] + 1 > "/dev/stderr"
		bad = 1
		return
	}
	summary = hd
	sub(/^[^-]* - /, "", summary)
	# @params, then description, then Return:
	np = 0
	nr = 0
	ndesc = 0
	sect = "params"
	for (; j <= nd; j++) {
		s = doc[j]
		blank = j > 1 && trim(doc[j - 1]) == ""
		if (s ~ /^Return:/) {
			sect = "return"
			sub(/^Return:[ ]*/, "", s)
			if (s != "")
				ret[++nr] = s
			continue
		}
		if (sect == "params" && s ~ /^@([A-Za-z_][A-Za-z0-9_]*|\.\.\.):/) {
			np++
			dname[np] = substr(s, 2, index(s, ":") - 2)
			dtext[np] = trim(substr(s, index(s, ":") + 1))
			continue
		}
		if (sect == "params" && np > 0 && !blank && s ~ /^[ \t]/ && trim(s) != "") {
			xv = trim(s)
			if (xv ~ /^-?[A-Z0-9][A-Z0-9_]*:( |$)/)
				dtext[np] = dtext[np] "\n" xv
			else
				dtext[np] = dtext[np] " " xv
			continue
		}
		if (sect == "params" && trim(s) == "" && ndesc == 0)
			continue
		if (sect != "return")
			sect = "desc"
		if (sect == "desc")
			desc[++ndesc] = s
		else
			ret[++nr] = s
	}
	while (ndesc > 0 && trim(desc[ndesc]) == "")
		ndesc--

	# the declaration that follows
	decl = ""
	for (i = b + 1; i <= n; i++) {
		if (kind == "struct") {
			if (L[i] !~ /^struct /)
				break
			for (k = i; k < n && L[k] !~ /^};/; k++)
				;
			decl = i " " k
			break
		}
		decl = decl " " trim(L[i])
		if (L[i] ~ /^#define/) {
			sub(/\).*/, ")", decl)
			kind = "macro"
			break
		}
		if (L[i] ~ /[;{]/ || (i < n && L[i + 1] ~ /^{/))
			break
	}
	decl = trim(decl)
	sub(/[ ]*[;{].*$/, "", decl)
	if (kind == "struct") {
		split(decl, x, " ")
		if (decl == "" || L[x[1]] !~ "^struct " nm " {") {
			printf "%s: the comment for struct %s is not followed by its definition\n", F[a], nm > "/dev/stderr"
			bad = 1
			return
		}
	} else {
		if (kind == "macro")
			sub(/^#define[ ]+/, "", decl)
		gsub(/[ \t]+/, " ", decl)
		gsub(/\( /, "(", decl)
		gsub(/ \)/, ")", decl)
		sub(/^XSK_API /, "", decl)
		head = decl
		sub(/\(.*/, "(", head)
		plist = decl
		sub(/^[^(]*\(/, "", plist)
		sub(/\)[^)]*$/, "", plist)
		k = head
		sub(/\($/, "", k)
		sub(/.*[ *]/, "", k)
		if (k != nm) {
			printf "%s: the comment for %s() is followed by the declaration of %s\n", F[a], nm, k > "/dev/stderr"
			bad = 1
			return
		}
		params(plist)
	}

	if (nm in made) {
		printf "%s: a second comment for %s\n", F[a], nm > "/dev/stderr"
		bad = 1
		return
	}
	made[nm] = kind
	cur = nm
	page = out "/man3/" nm ".3"
	split("", refs)
	split("", consts)
	split("", grp_seen)
	split("", grp_list)
	ngrp = 0
	for (i = 1; i <= nd; i++) {
		scan(doc[i])
		scan_groups(doc[i])
		scan_enums(doc[i])
		scan_consts(doc[i])
	}
	if (kind != "struct") {
		scan(decl)
		scan_enums(decl)
		# and the page of a struct links back to the functions taking it
		for (k in refs)
			seealso[k, nm] = 1
	}

	print ".\\\" SPDX-License-Identifier: MIT" > page
	print ".\\\" Made by man/gen-man.sh from " hdr(F[a]) ": edit the comment there." > page
	# no hyphenation: the names in the text are searched for as written
	print ".nr HY 0" > page
	print ".TH " nm " 3 \"\" \"libxsk " version "\" \"libxsk Manual\"" > page
	print ".SH NAME" > page
	# whatis(1) wants the name of the page alone before the dash
	print esc(nm) " \\- " (kind == "struct" ? "struct " esc(nm) ": " : "") text(summary) > page
	print ".SH SYNOPSIS" > page
	print ".nf" > page
	print ".B #include <" hdr(F[a]) ">" > page
	print ".PP" > page
	if (kind == "struct") {
		split(decl, x, " ")
		for (i = x[1]; i <= x[2]; i++)
			print lead("\\fB" esc(untab(L[i])) "\\fP") > page
	} else {
		if (kind == "macro")
			head = "#define " head
		synopsis(head, page)
	}
	print ".fi" > page
	if (kind == "function" && decl !~ /^static inline/) {
		print ".PP" > page
		print "Link with \\fI\\-lxsk\\fP." > page
	} else if (kind == "function") {
		print ".PP" > page
		print "Defined \\fBstatic inline\\fP in the header: nothing to link." > page
	}
	if (np > 0) {
		print ".SH " (kind == "struct" ? "MEMBERS" : "ARGUMENTS") > page
		for (i = 1; i <= np; i++) {
			print ".TP" > page
			print ".I " dname[i] > page
			k = split(dtext[i], x, "\n")
			for (j = 1; j <= k; j++) {
				if (j > 1)
					print ".br" > page
				print lead(text(x[j])) > page
			}
		}
	}
	if (ndesc > 0) {
		print ".SH DESCRIPTION" > page
		prose(desc, ndesc, page)
	}
	retkind = "none"
	if (kind == "function") {
		if (decl ~ /^(static inline )?void [a-z]/)
			retkind = "void"
		else if (nr > 0)
			retkind = "return"
		else if (np == 0 && ndesc == 0)
			retkind = "summary"
		if (retkind == "return") {
			print ".SH RETURN VALUE" > page
			ret[1] = toupper(substr(ret[1], 1, 1)) substr(ret[1], 2)
			prose(ret, nr, page)
		} else if (retkind == "summary") {
			print ".SH RETURN VALUE" > page
			s = summary
			s = toupper(substr(s, 1, 1)) substr(s, 2)
			print lead(text(s)) "." > page
		}
	}
	if (kind == "macro" && nr > 0) {
		print ".SH VALUE" > page
		ret[1] = toupper(substr(ret[1], 1, 1)) substr(ret[1], 2)
		prose(ret, nr, page)
		retkind = "return"
	}
	constants(page)
	# the pages this one links to are known once every page is made
	for (k in refs)
		if (k != nm)
			seealso[nm, k] = 1
	for (k in consts)
		constref[nm, k] = 1

	problems = ""
	if (kind != "struct" && np > 0) {
		for (i = 1; i <= nparam; i++) {
			seen = 0
			for (j = 1; j <= np; j++)
				if (dname[j] == pname[i] || (pname[i] == "..." && dname[j] == "..."))
					seen = 1
			if (!seen && pname[i] != "...")
				problems = problems " undocumented:" pname[i]
		}
		for (j = 1; j <= np; j++) {
			seen = 0
			for (i = 1; i <= nparam; i++)
				if (dname[j] == pname[i])
					seen = 1
			if (!seen)
				problems = problems " unknown:" dname[j]
		}
	}
	listing[++nlisting] = nm " " kind " " retkind problems
	pagefile[nm] = page
}

END {
	for (i = 1; i <= n; i++) {
		if (!(F[i] in first_line))
			first_line[F[i]] = i
		if (L[i] !~ /^\/\*\*/)
			continue
		for (k = i; k < n && L[k] !~ /\*\//; k++)
			;
		page_of(i, k)
		i = k
	}
	if (bad)
		exit 1
	# SEE ALSO: the overview, the pages named in the comment, and the
	# pages that document the constants it names
	for (p = 1; p <= nlisting; p++) {
		split(listing[p], x, " ")
		nm = x[1]
		s = ""
		nsee = 0
		split("", see)
		for (k in made)
			if ((nm, k) in seealso)
				see[++nsee] = k
		for (g in group_page) {
			if (group_page[g] == nm)
				continue
			for (k in constref) {
				split(k, y, SUBSEP)
				if (y[1] == nm && index(y[2], g) == 1) {
					dup = 0
					for (j = 1; j <= nsee; j++)
						if (see[j] == group_page[g])
							dup = 1
					if (!dup)
						see[++nsee] = group_page[g]
				}
			}
		}
		# sort by name: a stable page
		for (j = 2; j <= nsee; j++)
			for (k = j; k > 1 && see[k - 1] > see[k]; k--) {
				t = see[k]; see[k] = see[k - 1]; see[k - 1] = t
			}
		page = pagefile[nm]
		print ".SH SEE ALSO" > page
		printf ".BR libxsk (3)%s\n", nsee ? "," : "" > page
		for (j = 1; j <= nsee; j++)
			printf ".BR %s (3)%s\n", esc(see[j]), j < nsee ? "," : "" > page
		close(page)
		print listing[p] > (out "/pages.list")
	}
}
' "$@"
