# tests/deploy.sh: a store deployed as alpr-store(1) DEPLOYMENT describes,
# for the attack tests (sourced after lib.sh). Two numeric uids stand in
# for the OS accounts, so that file permissions hold as on a real machine
# (no /etc/passwd or sudoers change):
#	$SVC	the service account: owns the home and the key file
#	$ATT	a staff member's own OS account (every person here)
#	svc USER alpr-store ...	what `sudo -u alpr alpr-store ...' run by
#				OS user USER does: the service uid, a clean
#				environment, SUDO_USER=USER, SUDO_UID=$ATT
#	att CMD ...		a command as the staff member's own uid
#	viassh NAME CMDLINE	the SSH forced command of NAME's key
#	ingest FILE		the patrol car's pipeline, as the service
#				account itself, adding as device car1
#	daysago N		the date (UTC) N days before now, YYYY-MM-DD
# The home is $H (for /var/lib/alpr), the key $K (for /etc/alpr/store.key);
# each person's secrets are in $M, the staff member's own folder.
command -v oathtool >/dev/null || skip_all "oathtool not installed (scripts/deps installs it)"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) not installed"
[ "$(id -u)" = 0 ] || skip_all "needs root to run the service account and staff as two uids"
SVC=61001
ATT=61002
chmod 755 "$T"
install -d -o $SVC -g $SVC -m 700 "$T/srv" "$T/etc"
install -d -o $ATT -g $ATT -m 755 "$T/mallory"
H=$T/srv/alpr
K=$T/etc/store.key
M=$T/mallory
unset ALPR_HOME ALPR_KEY_FILE SUDO_USER SUDO_UID SSH_CONNECTION \
    SSH_ORIGINAL_COMMAND CREDENTIALS_DIRECTORY ALPR_CONFIG 2>/dev/null

svc() {
	_u=$1; shift
	setpriv --reuid=$SVC --regid=$SVC --clear-groups \
	    env -i PATH="$PATH" ALPR_DATADIR="$ALPR_DATADIR" ALPR_HOME="$H" \
	    ${_u:+SUDO_USER=$_u SUDO_UID=$ATT} "$@"
}
att() {
	setpriv --reuid=$ATT --regid=$ATT --clear-groups \
	    env -i PATH="$PATH" HOME="$M" ALPR_DATADIR="$ALPR_DATADIR" "$@"
}
viassh() {
	setpriv --reuid=$SVC --regid=$SVC --clear-groups \
	    env -i PATH="$PATH" ALPR_DATADIR="$ALPR_DATADIR" ALPR_HOME="$H" \
	    SSH_CONNECTION="192.0.2.7 50000 192.0.2.1 22" \
	    SSH_ORIGINAL_COMMAND="$2" alpr-store --ssh "$1"
}
ingest() {
	setpriv --reuid=$SVC --regid=$SVC --clear-groups env -i \
	    PATH="$PATH" ALPR_DATADIR="$ALPR_DATADIR" ALPR_HOME="$H" \
	    alpr-store add -D car1 "$@"
}
# daysago N: the date N days back, for reads and training that must be
# inside the store's limits (365 days' retention, 730 days' training)
# whatever the day the tests run, which a date written out is not for long
daysago() {
	date -u -d "@$(($(date +%s) - $1 * 86400))" +%Y-%m-%d
}
# a person's secret, in a file of theirs
sec() { printf '%s\n' "$2" >"$M/$1.pw"; chown $ATT "$M/$1.pw"; }
code() { oathtool --totp -b "$(head -1 "$M/$1.totp")" ${2:+-N "$2"}; }
loginas() {
	svc "$1" alpr-store login -u "$1" --password-file "$M/$1.pw" \
	    -c "$(code "$1" "${2:-now}")"
}
# the first login of an account an admin made: enrol, then log in with a
# code and a password of one's own ($M/USER.pw, from $M/USER.first.pw)
firstlogin() {
	svc "$1" alpr-store login -u "$1" --password-file "$M/$1.first.pw" \
	    --totp-file - >"$M/$1.totp" 2>/dev/null
	svc "$1" alpr-store login -u "$1" --password-file "$M/$1.first.pw" \
	    --new-password-file "$M/$1.pw" -c "$(code "$1")" 2>/dev/null
}

# mkdeploy: admin, sgt.moreno (supervisor), jdoe (analyst), pat.ops
# (operator), audit.kim (auditor), car1 (device), lt.ruiz (supervisor),
# each logged in from the OS account of the same name; lt.ruiz opens case
# 26-0117 naming sgt.moreno, jdoe and pat.ops.
mkdeploy() {
	sec admin 'Correct-Horse-7-Battery'
	svc "" alpr-store -K "$K" init -a "Test Police Department" \
	    -o test.example/alpr --password-file "$M/admin.pw" \
	    --totp-file "$T/srv/admin.totp" >"$T/vkey" 2>"$T/init.err" ||
	    { cat "$T/init.err"; return 1; }
	cp "$T/srv/admin.totp" "$M/admin.totp"
	loginas admin || return 1
	for u in sgt.moreno:supervisor:Blue-Strong-Pass-42 \
	    jdoe:analyst:Analyst-Pass-9-xyz pat.ops:operator:Operator-Pass-3-abc \
	    audit.kim:auditor:Auditor-Pass-8-qrs; do
		n=${u%%:*} r=${u#*:} p=${r#*:} r=${r%%:*}
		sec $n.first "$p"
		sec $n "$p-own"
		svc admin alpr-store user add $n -r $r \
		    --password-file "$M/$n.first.pw" || return 1
	done
	svc admin alpr-store user add car1 -r device || return 1
	svc admin alpr-store user approve sgt.moreno || return 1
	svc admin alpr-store user train sgt.moreno -c "$(daysago 30)" || return 1
	firstlogin sgt.moreno || return 1
	for u in jdoe pat.ops audit.kim car1; do
		svc sgt.moreno alpr-store user approve $u || return 1
	done
	svc sgt.moreno alpr-store user train jdoe -c "$(daysago 30)" || return 1
	svc sgt.moreno alpr-store user train pat.ops -c "$(daysago 30)" || return 1
	for u in jdoe pat.ops audit.kim; do
		firstlogin $u || return 1
	done
	sec lt.ruiz.first 'Lieutenant-Pass-61'
	sec lt.ruiz 'Lieutenant-Pass-61-own'
	svc admin alpr-store user add lt.ruiz -r supervisor \
	    --password-file "$M/lt.ruiz.first.pw" || return 1
	svc sgt.moreno alpr-store user approve lt.ruiz || return 1
	svc sgt.moreno alpr-store user train lt.ruiz -c "$(daysago 30)" || return 1
	firstlogin lt.ruiz || return 1
	svc lt.ruiz alpr-store case open -A 26-0117 sgt.moreno jdoe pat.ops \
	    -R "burglary on Main St, suspects seen in a silver sedan" || return 1
}

# a read record: read1 TS CAMERA LAT LON PLATE
read1() {
	_id=$(echo "$1" | tr -d ':-')
	printf '{"type":"read","v":1,"id":"%s-0123456789ab-%s","ts":"%s","camera":"%s","lat":%s,"lon":%s,"plate":"%s","conf":90,"box":[1,2,3,4]}\n' \
	    "$_id" "$2" "$1" "$2" "$3" "$4" "$5"
}
# the real access log, as the auditor reads it
entries() { grep "\"action\":\"$1\"" "$H/log/log.ndjson"; }
nlog() { wc -l <"$H/log/log.ndjson"; }
J="-P investigation -C 26-0117"
R="silver sedan seen leaving the burglary on Main St"
