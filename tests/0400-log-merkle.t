#!/bin/sh
# lib/log/merkle.c: RFC 6962 tree hashes, known answers, proofs, test vectors.
. "$(dirname "$0")/lib.sh"
plan 8

check "reference tree roots" merkle-test roots
# RFC 6962 reference leaves "", 00, 10, 2021, ... (certificate-transparency
# merkle_tree_test); the empty tree's root is SHA-256 of the empty string.
cat >"$T/want" <<'R'
0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
1 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d
2 fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125
3 aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77
4 d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7
5 4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4
6 76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef
7 ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c
8 5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328
R
same "roots are the RFC 6962 known answers" "$T/want" "$T/out"

check "the tree hashes (libcrypto) agree with libsodium" merkle-test sha
is "no length differs" "$(cat "$T/out")" "sha: 0 lengths differ from libsodium"

check "every proof of trees up to 16 leaves, every bit flipped" \
	merkle-test proofs 16
like "all proofs verify, every flipped bit is caught" "$(cat "$T/out")" \
	'^[1-9][0-9]* proofs verified, 0 rejected wrongly, [1-9][0-9]* bit flips, 0 attacks missed$'

if [ -d "$VECTORS/rfc6962/inclusion" ]; then
	check "RFC 6962 inclusion and consistency vectors" \
		merkle-test vectors "$VECTORS/rfc6962"
	like "each accepted exactly when wantErr is false" "$(tail -1 "$T/out")" \
		'^[1-9][0-9]* vectors, 0 wrong$'
else
	skip "RFC 6962 vectors" "no $VECTORS/rfc6962"
	skip "RFC 6962 vectors" "no $VECTORS/rfc6962"
fi
done_testing
