# tests/store.sh: a store for the store tests (sourced after lib.sh).
#
#	mkstore			a store in $H with key $K and these accounts,
#				each logged in as the OS user of its name:
#				admin (admin), sgt.moreno (supervisor, trained),
#				jdoe (analyst, trained), pat.ops (operator,
#				trained), audit.kim (auditor), car1 (device)
#	as USER alpr-store ...	run as OS user USER (through sudo, as the
#				store sees it), in USER's session
#	code USER [WHEN]	USER's TOTP code now (or at WHEN)
#	loginas USER [WHEN]	log USER in as OS user USER
#	sfind USER ...		alpr-store find as USER, with a purpose, case
#	sshow USER ...		and reason stated (show likewise)
command -v oathtool >/dev/null || skip_all "oathtool not installed (scripts/deps installs it)"
H=$T/home
K=$T/store.key
export ALPR_HOME=$H ALPR_KEY_FILE=$K
unset SUDO_USER SSH_CONNECTION SSH_ORIGINAL_COMMAND CREDENTIALS_DIRECTORY ALPR_CONFIG 2>/dev/null

as() {
	_u=$1; shift
	SUDO_USER=$_u "$@"
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

mkstore() {
	pwfile admin 'Correct-Horse-7-Battery'
	alpr-store init -a "Test Police Department" -o test.example/alpr \
	    --password-file "$T/admin.pw" --totp-file "$T/admin.totp" \
	    >"$T/vkey" 2>"$T/init.err" || { cat "$T/init.err"; return 1; }
	loginas admin || return 1
	pwfile sgt.moreno 'Blue-Strong-Pass-42'
	pwfile jdoe 'Analyst-Pass-9-xyz'
	pwfile pat.ops 'Operator-Pass-3-abc'
	pwfile audit.kim 'Auditor-Pass-8-qrs'
	for u in sgt.moreno:supervisor jdoe:analyst pat.ops:operator \
	    audit.kim:auditor; do
		as admin alpr-store user add "${u%%:*}" -r "${u#*:}" \
		    --password-file "$T/${u%%:*}.pw" \
		    --totp-file "$T/${u%%:*}.totp" || return 1
	done
	as admin alpr-store user add car1 -r device || return 1
	as admin alpr-store user approve sgt.moreno || return 1
	as admin alpr-store user train sgt.moreno -c 2026-01-05 || return 1
	# first logins change the admin-set password
	for u in sgt.moreno jdoe pat.ops audit.kim; do
		cp "$T/$u.pw" "$T/$u.first"
		printf '%s-own\n' "$(cat "$T/$u.pw")" >"$T/$u.pw"
	done
	as sgt.moreno alpr-store login -u sgt.moreno \
	    --password-file "$T/sgt.moreno.first" \
	    --new-password-file "$T/sgt.moreno.pw" -c "$(code sgt.moreno)" \
	    2>/dev/null || return 1
	for u in jdoe pat.ops audit.kim car1; do
		as sgt.moreno alpr-store user approve $u || return 1
	done
	as sgt.moreno alpr-store user train jdoe -c 2026-01-05 || return 1
	as sgt.moreno alpr-store user train pat.ops -c 2026-01-05 || return 1
	for u in jdoe pat.ops audit.kim; do
		as $u alpr-store login -u $u --password-file "$T/$u.first" \
		    --new-password-file "$T/$u.pw" -c "$(code $u)" \
		    2>/dev/null || return 1
	done
}

# The log's entries with a given action, as JSON lines.
entries() {
	grep "\"action\":\"$1\"" "$H/log/log.ndjson"
}
