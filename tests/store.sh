# tests/store.sh: a store for the store tests (sourced after lib.sh).
#
#	mkstore [OPTION...]	a store in $H with key $K (alpr-store init with
#				these options too) and these accounts,
#				each logged in as the OS user of its name:
#				admin (admin), sgt.moreno (supervisor, trained),
#				jdoe (analyst, trained), pat.ops (operator,
#				trained), audit.kim (auditor), car1 (device),
#				lt.ruiz (supervisor, trained), who opens
#				case 26-0117 naming sgt.moreno, jdoe, pat.ops
#	opencase CASE USER...	lt.ruiz opens CASE naming these accounts
#				(every read, or $SCOPE: -p PLATE ...)
#	altlogin OSUSER USER	USER's first login from OSUSER's session (one
#				person, two accounts): $T/USER.first.pw, then
#				$T/USER.pw
#	as USER alpr-store ...	run as OS user USER (through sudo, as the
#				store sees it: SUDO_USER, and SUDO_UID ours,
#				so that our files count as USER's), in USER's
#				session
#	code USER [WHEN]	USER's TOTP code now (or at WHEN)
#	loginas USER [WHEN]	log USER in as OS user USER
#	firstlogin USER		an account's first login: enrol, then log in
#	sfind USER ...		alpr-store find as USER, with a purpose, case
#	sshow USER ...		and reason stated (show likewise)
#	daysago N		the date (UTC) N days before now, YYYY-MM-DD
#	clear_of_midnight S	wait for midnight (UTC) if it is S seconds off
command -v oathtool >/dev/null || skip_all "oathtool not installed (scripts/deps installs it)"
H=$T/home
K=$T/store.key
export ALPR_HOME=$H ALPR_KEY_FILE=$K
unset SUDO_USER SSH_CONNECTION SSH_ORIGINAL_COMMAND CREDENTIALS_DIRECTORY ALPR_CONFIG 2>/dev/null

as() {
	_u=$1; shift
	SUDO_USER=$_u SUDO_UID=$(id -u) "$@"
}
code() {
	oathtool --totp -b "$(head -1 "$T/$1.totp")" ${2:+-N "$2"}
}
pwfile() {	# USER PASSWORD
	printf '%s\n' "$2" >"$T/$1.pw"
}
loginas() {
	as "$1" alpr-store login -u "$1" --password-file "$T/$1.pw" \
	    -c "$(code "$1" "${2:-now}")"
}

# daysago N: the date N days back, for reads and training that must be
# inside the store's limits (365 days' retention, 730 days' training)
# whatever the day the tests run, which a date written out is not for long
daysago() {
	date -u -d "@$(($(date +%s) - $1 * 86400))" +%Y-%m-%d
}

# clear_of_midnight SECONDS: if midnight (UTC) is nearer than SECONDS,
# wait until it has passed, so that what a test counts by the day (the
# days a purge's cut-off keeps) does not move between its count and the
# program's
clear_of_midnight() {
	_s=$((86400 - $(date +%s) % 86400))
	[ "$_s" -gt "$1" ] || sleep "$_s"
}

# find and show as USER, with a purpose, case and reason
sfind() {
	_u=$1; shift
	as "$_u" alpr-store find -P investigation -C 26-0117 \
	    -R "silver sedan seen leaving the burglary on Main St" "$@"
}
sshow() {
	_u=$1; shift
	as "$_u" alpr-store show -P investigation -C 26-0117 \
	    -R "silver sedan seen leaving the burglary on Main St" "$@"
}

# firstlogin USER: the first login of an account an admin made: it enrols
# the second factor (its secret to $T/USER.totp), then logs in with a code
# and sets the user's own password ($T/USER.pw, from $T/USER.first).
firstlogin() {
	as "$1" alpr-store login -u "$1" --password-file "$T/$1.first" \
	    --totp-file "$T/$1.totp" 2>/dev/null
	[ -s "$T/$1.totp" ] || return 1
	as "$1" alpr-store login -u "$1" --password-file "$T/$1.first" \
	    --new-password-file "$T/$1.pw" -c "$(code "$1")" 2>/dev/null
}

mkstore() {
	pwfile admin 'Correct-Horse-7-Battery'
	alpr-store init -a "Test Police Department" -o test.example/alpr \
	    --password-file "$T/admin.pw" --totp-file "$T/admin.totp" "$@" \
	    >"$T/vkey" 2>"$T/init.err" || { cat "$T/init.err"; return 1; }
	loginas admin || return 1
	pwfile sgt.moreno.first 'Blue-Strong-Pass-42'
	pwfile jdoe.first 'Analyst-Pass-9-xyz'
	pwfile pat.ops.first 'Operator-Pass-3-abc'
	pwfile audit.kim.first 'Auditor-Pass-8-qrs'
	for u in sgt.moreno:supervisor jdoe:analyst pat.ops:operator \
	    audit.kim:auditor; do
		mv "$T/${u%%:*}.first.pw" "$T/${u%%:*}.first"
		printf '%s-own\n' "$(cat "$T/${u%%:*}.first")" >"$T/${u%%:*}.pw"
		as admin alpr-store user add "${u%%:*}" -r "${u#*:}" \
		    --password-file "$T/${u%%:*}.first" || return 1
	done
	as admin alpr-store user add car1 -r device || return 1
	as admin alpr-store user approve sgt.moreno || return 1
	as admin alpr-store user train sgt.moreno -c "$(daysago 30)" || return 1
	firstlogin sgt.moreno || return 1
	for u in jdoe pat.ops audit.kim car1; do
		as sgt.moreno alpr-store user approve $u || return 1
	done
	as sgt.moreno alpr-store user train jdoe -c "$(daysago 30)" || return 1
	as sgt.moreno alpr-store user train pat.ops -c "$(daysago 30)" || return 1
	for u in jdoe pat.ops audit.kim; do
		firstlogin $u || return 1
	done
	supervisor lt.ruiz 'Lieutenant-Pass-61' sgt.moreno || return 1
	opencase 26-0117 sgt.moreno jdoe pat.ops
}

# altlogin OSUSER USER: the first login of account USER (enrol, then a
# code and a password of its own) from OS user OSUSER's session
altlogin() {
	as "$1" alpr-store login -u "$2" --password-file "$T/$2.first.pw" \
	    --totp-file "$T/$2.totp" >/dev/null 2>&1
	as "$1" alpr-store login -u "$2" --password-file "$T/$2.first.pw" \
	    --new-password-file "$T/$2.pw" -c "$(code "$2")" >/dev/null 2>&1
}

# opencase CASE USER...: lt.ruiz opens CASE, naming these accounts, open
# to every read (or to what $SCOPE gives: -p PLATE, -a LAT,LON,M)
opencase() {
	_c=$1; shift
	as lt.ruiz alpr-store case open ${SCOPE--A} "$_c" -R "burglary on Main St, suspects seen in a silver sedan" "$@" 2>"$T/opencase.err" ||
	    { cat "$T/opencase.err" >&2; return 1; }
}

# supervisor NAME PASSWORD APPROVER: a supervisor more, made by admin,
# approved and trained by APPROVER, its first login done ($T/NAME.first
# holds PASSWORD, $T/NAME.pw the one it chose).
supervisor() {
	printf '%s\n' "$2" >"$T/$1.first"
	printf '%s-own\n' "$2" >"$T/$1.pw"
	as admin alpr-store user add "$1" -r supervisor \
	    --password-file "$T/$1.first" >/dev/null 2>&1 &&
	as "$3" alpr-store user approve "$1" >/dev/null 2>&1 &&
	as "$3" alpr-store user train "$1" -c "$(daysago 30)" >/dev/null 2>&1 &&
	firstlogin "$1"
}

# retention DAYS [HITDAYS]: how long the store keeps reads, and reads
# with hotlist hits (DAYS when not given), in alpr.conf.
retention() {
	sed -i "s/^retention_days = .*/retention_days = $1/;
	    s/^retention_hit_days = .*/retention_hit_days = ${2:-$1}/" "$H/alpr.conf"
}

# signlist USER LIST [REASON]: another supervisor (lt.ruiz, or sgt.moreno
# for lt.ruiz) asks for LIST to be signed (LIST.ask), then USER signs it
# on that ask (LIST.sig); REASON for both, else $R. The ask's refusal,
# if it is refused, is left unsaid: the signing's is what is looked at.
signlist() {
	_asker=lt.ruiz
	[ "$1" = lt.ruiz ] && _asker=sgt.moreno
	as "$_asker" alpr-store hotlist ask -R "${3-$R}" "$2" >"$2.ask" 2>/dev/null
	as "$1" alpr-store hotlist sign -R "${3-$R}" "$2.ask" >"$2.sig"
}

# The log's entries with a given action, as JSON lines.
entries() {
	grep "\"action\":\"$1\"" "$H/log/log.ndjson"
}
