#!/usr/bin/env bash
# runc v1.1.5's own integration tests (tests/integration/*.bats), run twice
# on this machine: with RUNC set to Debian's runc (the oracle), then with
# RUNC set to a wrapper that runs tsvisor. Prints a table (file, test, runc's
# result, tsvisor's result, why tsvisor failed) and writes it to a results
# file; exits 1 when a test passes for runc and fails for tsvisor.
#
#   test/runc-integration/run.sh [--no-install] [FILE.bats ...]
#
# README.md beside this script says what it fetches, builds and skips, and
# every variable it reads (WORKDIR, RESULTS, FILE_TIMEOUT, TSVISOR,
# RUNC_ORACLE, RUNC_SRC, RUNTIMES).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

: "${WORKDIR:=/var/tmp/tsvisor-runc-integration}"
: "${RESULTS:=$WORKDIR/results.md}"
: "${FILE_TIMEOUT:=900}"
: "${RUNC_ORACLE:=/usr/sbin/runc}"
: "${TSVISOR:=$repo/bin/tsvisor}"
: "${RUNTIMES:=runc tsvisor}"
DEFAULT_FILES="create.bats start.bats run.bats exec.bats kill.bats delete.bats list.bats state.bats ps.bats pause.bats hooks.bats tty.bats"
SKIP_LIST="$here/skip.tsv"

install=1
files=()
for a in "$@"; do
	case $a in
	--no-install) install=0 ;;
	-h | --help)
		sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "run.sh: unknown option $a" >&2
		exit 2
		;;
	*) files+=("${a##*/}") ;;
	esac
done
[ ${#files[@]} -eq 0 ] && read -r -a files <<<"$DEFAULT_FILES"

log() { echo "runc-integration: $*" >&2; }
die() {
	log "error: $*"
	exit 2
}

[ "$(id -u)" -eq 0 ] || die "run as root (runc's tests need it, and this script installs packages)"
mkdir -p "$WORKDIR" || die "cannot make $WORKDIR"
W=$(cd "$WORKDIR" && pwd)

# --- 1. Debian's packages ---------------------------------------------------
# bats, jq, gawk: the test files and helpers.bash; runc: the oracle (and the
# version whose source is fetched); busybox-static: the busybox image;
# golang-go, pkg-config, libseccomp-dev and the golang-*-dev packages (runc's
# Build-Depends in Debian): the helpers, built offline in GOPATH mode;
# dpkg-dev: dpkg-source; gcc, libc6-dev: hooks.bats compiles two libraries;
# util-linux: nsenter (hooks.bats); procps: ps (runc ps runs the host's).
GO_DEV_PACKAGES="golang-dbus-dev golang-github-checkpoint-restore-go-criu-dev golang-github-cilium-ebpf-dev
golang-github-containerd-console-dev golang-github-coreos-go-systemd-dev golang-github-cyphar-filepath-securejoin-dev
golang-github-docker-go-units-dev golang-github-moby-sys-dev golang-github-mrunalp-fileutils-dev
golang-github-opencontainers-selinux-dev golang-github-opencontainers-specs-dev golang-github-seccomp-libseccomp-golang-dev
golang-github-sirupsen-logrus-dev golang-github-urfave-cli-dev golang-github-vishvananda-netlink-dev golang-gocapability-dev
golang-golang-x-net-dev golang-google-protobuf-dev"
if [ $install -eq 1 ]; then
	log "installing Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends bats jq gawk runc busybox-static golang-go pkg-config \
		libseccomp-dev dpkg-dev xz-utils gcc libc6-dev util-linux bsdutils procps coreutils findutils \
		$GO_DEV_PACKAGES >/dev/null || die "apt-get install failed"
fi
for c in bats jq gawk go dpkg-source timeout script "$RUNC_ORACLE"; do
	command -v "$c" >/dev/null || die "$c is missing (run without --no-install)"
done

# tsvisor itself: build the checkout this script lives in unless TSVISOR
# names another one.
if [ "$TSVISOR" = "$repo/bin/tsvisor" ] && [ ! -x "$repo/build/Release/tsvisor-entry" -o ! -f "$repo/dist/tsvisor.mjs" ]; then
	[ $install -eq 1 ] || die "$repo is not built (npm ci)"
	log "building tsvisor (npm ci in $repo)"
	(cd "$repo" && npm ci --no-audit --no-fund >&2) || die "npm ci failed"
fi
"$TSVISOR" --version >/dev/null 2>&1 || die "$TSVISOR --version failed"

# --- 2. runc v1.1.5's source ------------------------------------------------
# Debian's source package of the installed runc (1.1.5+ds1: upstream v1.1.5
# less vendor/, plus Debian's patches; tests/ differs from v1.1.5 only in
# dev.bats and seccomp.bats). apt-get reads a private copy of the machine's
# sources turned into deb-src entries, with its own lists and cache, so the
# machine's apt configuration is left as it was. RUNC_SRC=DIR uses a v1.1.5
# tree that is already on disk instead.
pristine=
if [ -n "${RUNC_SRC:-}" ]; then
	pristine=$(cd "$RUNC_SRC" && pwd) || die "RUNC_SRC=$RUNC_SRC is not a directory"
	src_desc="RUNC_SRC=$pristine"
else
	ver=$(dpkg-query -W -f '${Version}' runc 2>/dev/null) || die "runc is not installed"
	case $ver in 1.1.5*) ;; *) die "the installed runc is $ver, not 1.1.5: set RUNC_SRC to a v1.1.5 tree" ;; esac
	pristine="$W/src/runc-$ver"
	src_desc="Debian source package runc $ver"
	if [ ! -f "$pristine/.complete" ]; then
		log "fetching $src_desc"
		apt="$W/apt"
		rm -rf "$apt" "$pristine"
		mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$W/src/dl"
		: >"$apt/sources.list"
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.list.d/src-${f##*/}"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] && { grep -E '^deb[[:space:]]' "$f" | sed -E 's/^deb[[:space:]]/deb-src /'; } >>"$apt/sources.list.d/src-lists.list"
		done
		aptopt=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
			-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
		apt-get "${aptopt[@]}" update -qq >&2 || die "apt-get update (deb-src) failed"
		(cd "$W/src/dl" && rm -f ./* && apt-get "${aptopt[@]}" source --download-only "runc=$ver" >&2) ||
			die "apt-get source runc=$ver failed"
		dpkg-source -x "$W/src/dl/"runc_*.dsc "$pristine" >&2 || die "dpkg-source -x failed"
		touch "$pristine/.complete"
	fi
fi
[ -f "$pristine/tests/integration/helpers.bash" ] || die "$pristine has no tests/integration/helpers.bash"
grep -qx '1.1.5' "$pristine/VERSION" || die "$pristine is runc $(cat "$pristine/VERSION"), not 1.1.5"

# --- 3. A working copy, its helpers built, helpers.bash patched --------------
# The tree sits in a GOPATH so that helpers.bash finds the helpers where
# runc's Makefile puts them (contrib/cmd/X/X). Go builds in GOPATH mode from
# Debian's golang-*-dev packages (/usr/share/gocode): no module download.
gopath="$W/gopath"
tree="$gopath/src/github.com/opencontainers/runc"
rm -rf "$tree"
mkdir -p "$(dirname "$tree")"
cp -a "$pristine" "$tree"
rm -f "$tree/.complete"
export GOPATH="$gopath:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$W/gocache" CGO_ENABLED=1
for h in recvtty:contrib/cmd/recvtty: sd-helper:contrib/cmd/sd-helper: seccompagent:contrib/cmd/seccompagent:seccomp; do
	IFS=: read -r name dir tags <<<"$h"
	log "building $dir/$name"
	(cd "$tree/$dir" && go build -tags "$tags" -o "$name" .) >&2 || die "go build of $dir failed"
done
# fs-idmap and pidfd-kill (tests/cmd) came after v1.1.5: its tests do not use them.

it="$tree/tests/integration"
images="$W/images"
# get-images.sh downloads busybox and Debian tarballs; this one names the
# images made below instead.
cat >"$it/get-images.sh" <<EOF
#!/bin/bash
# Replaced by tsvisor's test/runc-integration/run.sh: no download.
echo "BUSYBOX_IMAGE=$images/busybox.tar"
echo "DEBIAN_IMAGE=$images/debian.tar"
EOF
# setup_bundle (every test's setup goes through it) first skips the tests
# that skip.tsv lists, for both runtimes.
sed -i 's/^function setup_bundle() {$/&\n\ttsvisor_skip_listed/' "$it/helpers.bash"
grep -q tsvisor_skip_listed "$it/helpers.bash" || die "helpers.bash: setup_bundle not found"
cat >>"$it/helpers.bash" <<'EOF'

# Added by tsvisor's test/runc-integration/run.sh: skip the tests listed in
# $TSVISOR_SKIP_LIST (file<TAB>test<TAB>reason), whatever RUNC is.
function tsvisor_skip_listed() {
	local reason
	reason=$(awk -F'\t' -v f="$(basename "$BATS_TEST_FILENAME")" -v t="$BATS_TEST_DESCRIPTION" \
		'$1 == f && $2 == t { print $3; exit }' "$TSVISOR_SKIP_LIST")
	if [ -n "$reason" ]; then skip "listed in skip.tsv: $reason"; fi
	return 0
}
EOF

# --- 4. The images, without the network -------------------------------------
# busybox: what the docker-library busybox image is, made from Debian's
# busybox-static: /bin/busybox and a link per applet, /etc/passwd and group.
mkdir -p "$images"
if [ ! -f "$images/busybox.tar" ] || [ /bin/busybox -nt "$images/busybox.tar" ]; then
	log "making the busybox image"
	r="$images/busybox-root"
	rm -rf "$r"
	mkdir -p "$r"/{bin,dev,etc,home,proc,root,sys,tmp,usr/sbin,var/spool/mail,var/www}
	chmod 1777 "$r/tmp"
	chmod 700 "$r/root"
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln "$r/bin/busybox" "$r/bin/$a"
	done
	cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
	cat >"$r/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
EOF
	tar --numeric-owner --owner=0 --group=0 -C "$r" -cf "$images/busybox.tar.tmp" . &&
		mv "$images/busybox.tar.tmp" "$images/busybox.tar" || die "tar of the busybox image failed"
	rm -rf "$r"
fi
# debian: hooks.bats needs a glibc tree with sh, ldconfig and grep (runc uses
# a Debian "slim" image); this is Debian's own packages of them, unpacked.
if [ ! -f "$images/debian.tar" ]; then
	log "making the debian image"
	d="$images/debs"
	r="$images/debian-root"
	rm -rf "$d" "$r"
	mkdir -p "$d" "$r"/{dev,proc,sys,tmp,root,etc}
	chmod 1777 "$r/tmp"
	(cd "$d" && apt-get download -qq libc6 libc-bin dash grep libpcre2-8-0 coreutils base-files 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
	ls "$d"/libc-bin_*.deb "$d"/dash_*.deb "$d"/grep_*.deb >/dev/null || die "apt-get download of the debian image's packages failed"
	for p in "$d"/*.deb; do dpkg-deb -x "$p" "$r" || die "dpkg-deb -x $p failed"; done
	ln -sf dash "$r/bin/sh"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$r/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$r/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$r" -cf "$images/debian.tar.tmp" . &&
		mv "$images/debian.tar.tmp" "$images/debian.tar" || die "tar of the debian image failed"
	rm -rf "$d" "$r"
fi

# --- 5. The runtimes ---------------------------------------------------------
mkdir -p "$W/bin"
cat >"$W/bin/tsvisor" <<EOF
#!/bin/sh
# RUNC for runc's integration tests: tsvisor (helpers.bash passes --root).
exec "$TSVISOR" "\$@"
EOF
chmod +x "$W/bin/tsvisor"
export TSVISOR
runtime_bin() {
	case $1 in
	runc) echo "$RUNC_ORACLE" ;;
	tsvisor) echo "$W/bin/tsvisor" ;;
	tsvisor-noconsole) echo "$here/tsvisor-noconsole" ;;
	*) die "unknown runtime $1 in RUNTIMES (runc, tsvisor, tsvisor-noconsole)" ;;
	esac
}
read -r -a rts <<<"$RUNTIMES"
for rt in "${rts[@]}"; do runtime_bin "$rt" >/dev/null; done

# --- 6. Run each file, one at a time, once per runtime ----------------------
logs="$W/logs"
rm -rf "$logs"
mkdir -p "$logs"
declare -A rc_of
for f in "${files[@]}"; do
	[ -f "$it/$f" ] || die "no $f in runc's tests/integration"
	for rt in "${rts[@]}"; do
		bin=$(runtime_bin "$rt")
		# A short TMPDIR: the console and control sockets live below it.
		tmp="/tmp/rib-$rt"
		rm -rf "$tmp"
		mkdir -p "$tmp"
		log "$f with $rt"
		start=$(date +%s)
		# On a terminal, as runc's CI runs them (script -e -c): a foreground
		# `runc run` of a terminal: true config uses the caller's /dev/tty.
		(cd "$it" && TMPDIR="$tmp" RUNC="$bin" TSVISOR_SKIP_LIST="$SKIP_LIST" \
			timeout -k 15 "$FILE_TIMEOUT" script -qefc "bats --timing --tap --no-tempdir-cleanup $it/$f" /dev/null \
			</dev/null 2>&1 | tr -d '\r' >"$logs/$rt.$f.tap"
		exit "${PIPESTATUS[0]}")
		rc=$?
		rc_of[$rt.$f]=$rc
		log "$f with $rt: exit $rc in $(($(date +%s) - start)) s"
		# Containers a test (or the timeout) left behind.
		for st in "$tmp"/bats-run-*/runc.*/state; do
			[ -d "$st" ] || continue
			for ct in $("$bin" --root "$st" list -q 2>/dev/null); do
				log "deleting $ct, left by $f under $rt"
				timeout 30 "$bin" --root "$st" delete -f "$ct" >/dev/null 2>&1
			done
		done
		for p in "$tmp"/bats-run-*/runc.*/tty/pid; do
			[ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
		done
		rm -rf "$tmp"
	done
done

# --- 7. The table ------------------------------------------------------------
# parse FILE.tap: "RESULT<TAB>TEST<TAB>NOTE" per test, RESULT pass, fail or
# skip; NOTE: a skip's reason, or for a failure the command that failed and
# the error it printed: the runtime command helpers.bash's runc() logged last
# (its status and first line of output) when an assertion on its result
# failed, else the failed step and the last line printed.
parse_tap() {
	gawk '
	function flush() {
		if (name == "") return
		if (res == "fail") {
			if (failed ~ /^`testcontainer/ && laststatus != "") {
				note = failed ": the last state said \"" laststatus "\""
			} else if (failed ~ /^`(__runc|retry|wait_for_container|fail|testcontainer)/ || lastcmd == "") {
				note = failed
				if (lastline != "") note = note ": " lastline
			} else {
				note = lastcmd
				if (lastout != "") note = note ": " lastout
			}
			gsub(/\/tmp\/rib-[a-z-]+\/bats-run-[A-Za-z0-9]+\/runc\.[A-Za-z0-9]+/, "$ROOT", note)
			gsub(/\|/, "\\|", note)
			if (length(note) > 240) note = substr(note, 1, 237) "..."
		} else note = reason
		printf "%s\t%s\t%s\n", res, name, note
		name = ""
	}
	/^(not )?ok [0-9]+ / {
		flush()
		res = ($1 == "not") ? "fail" : "pass"
		line = $0
		sub(/^(not )?ok [0-9]+ /, "", line)
		reason = ""
		if (match(line, / # skip ?(.*)$/, m)) { res = "skip"; reason = m[1]; line = substr(line, 1, RSTART - 1) }
		sub(/ in [0-9]+ms$/, "", line)
		name = line; lastcmd = ""; lastout = ""; failed = ""; lastline = ""; laststatus = ""; want = 0
		next
	}
	name != "" && /^#/ {
		t = substr($0, 3)
		if (t ~ /^[ \t]*$/ || t ~ /^BATS_RUN_TMPDIR/) next
		if (want) { lastout = t; want = 0 }
		if (t ~ /^[^ ]+ .*\(status=[0-9]+\):$/) { lastcmd = t; sub(/:$/, "", lastcmd); lastout = ""; want = 1; next }
		if (t ~ /^  `.*'"'"' failed/ && failed == "") { failed = t; sub(/^ +/, "", failed); next }
		if (match(t, /^  "status": "([a-z]+)",?$/, m)) laststatus = m[1]
		if (t ~ /^\(in test file|^\(from function|^ in test file|^ from function/) next
		lastline = t
	}
	END { flush() }
	' "$1"
}

has() { case " $RUNTIMES " in *" $1 "*) return 0 ;; esac; return 1; }
out="$W/results.tmp"
{
	echo "# runc v1.1.5 integration tests: runc and tsvisor"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), Linux $(uname -r), source: $src_desc,"
	echo "oracle $RUNC_ORACLE ($("$RUNC_ORACLE" --version | head -1)), tsvisor $TSVISOR ($("$TSVISOR" --version | head -1))."
	echo
	hdr="| file | test |"
	sep="| --- | --- |"
	for rt in "${rts[@]}"; do
		hdr+=" $rt |"
		sep+=" --- |"
	done
	echo "$hdr why it failed (the failing command or step, and its error) |"
	echo "$sep --- |"
} >"$out"
regressions=0
declare -A count
for f in "${files[@]}"; do
	declare -A res=() note=()
	order=()
	for rt in "${rts[@]}"; do
		[ -f "$logs/$rt.$f.tap" ] || continue
		while IFS=$'\t' read -r r name n; do
			[ -n "$name" ] || continue
			res[$rt/$name]=$r
			note[$rt/$name]=$n
			case " ${order[*]:-} " in *" $name "*) ;; *) order+=("$name") ;; esac
		done < <(parse_tap "$logs/$rt.$f.tap")
	done
	# Tests bats never reported (the file timed out, or did not load).
	while read -r name; do
		[ -n "$name" ] || continue
		case " ${order[*]:-} " in *" $name "*) ;; *) order+=("$name") ;; esac
	done < <(sed -nE 's/^@test "(.*)" \{.*$/\1/p' "$it/$f")
	for name in "${order[@]}"; do
		row="| $f | $name |"
		why=()
		for rt in "${rts[@]}"; do
			v=${res[$rt/$name]:-}
			if [ -z "$v" ]; then
				case ${rc_of[$rt.$f]:-x} in 124 | 137) v=timeout ;; *) v=missing ;; esac
				res[$rt/$name]=$v
			fi
			row+=" $v |"
			count[$rt/$v]=$((${count[$rt/$v]:-0} + 1))
		done
		r=${res[runc/$name]:-}
		for rt in "${rts[@]}"; do
			[ "$rt" = runc ] && continue
			v=${res[$rt/$name]}
			if [ "$v" = fail ] && [ "$r" != fail ]; then
				why+=("$rt: ${note[$rt/$name]:-}")
			elif [ "$v" = skip ] && [ "$r" = skip ] && [ ${#why[@]} -eq 0 ]; then
				why+=("${note[$rt/$name]:-}")
			fi
		done
		[ "$r" = fail ] && why+=("runc: ${note[runc/$name]:-}")
		# Each runtime's note said once: a skip's reason is the same for all.
		row+=" $(printf '%s; ' "${why[@]}" | sed 's/; $//') |"
		echo "$row" >>"$out"
		if has runc && has tsvisor && [ "$r" = pass ]; then
			case ${res[tsvisor/$name]} in pass | skip) ;; *) regressions=$((regressions + 1)) ;; esac
		fi
	done
	unset res note
done
{
	echo
	for rt in "${rts[@]}"; do
		echo "$rt: ${count[$rt/pass]:-0} passed, ${count[$rt/fail]:-0} failed, ${count[$rt/skip]:-0} skipped, $((${count[$rt/timeout]:-0} + ${count[$rt/missing]:-0})) not run (file timed out, or not reported)"
	done
	has runc && has tsvisor && echo "tests that pass for runc and not for tsvisor: $regressions"
	echo
	echo "Each run's TAP output (bats --timing --tap, with the failing commands' output): $logs/RUNTIME.FILE.tap"
} >>"$out"
mkdir -p "$(dirname "$RESULTS")"
mv "$out" "$RESULTS"
cat "$RESULTS"
log "results: $RESULTS"
[ $regressions -eq 0 ]
