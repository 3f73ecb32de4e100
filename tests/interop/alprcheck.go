// alprcheck: an independent check of an alpr access log with Go's
// golang.org/x/mod/sumdb/note (C2SP signed notes) and sumdb/tlog (RFC 6962
// trees), for tests/0480-log-interop.t. It trusts keys.ndjson's keys (the
// chain itself is alpr's format, checked by alpr-audit verify), opens every
// checkpoint as a signed note with them, recomputes each checkpoint's root
// from log.ndjson, and checks the inclusion proofs given as files.
//
//	alprcheck DIR [PROOF ...]
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "alprcheck: "+format+"\n", args...)
	os.Exit(1)
}

func lines(path string) [][]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// A checkpoint body: origin, size, root, extension lines.
func parse(text string) (string, int64, tlog.Hash) {
	f := strings.SplitN(text, "\n", 4)
	if len(f) < 4 {
		fail("checkpoint body has fewer than three lines")
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		fail("checkpoint size %q: %v", f[1], err)
	}
	h, err := tlog.ParseHash(f[2])
	if err != nil {
		fail("checkpoint root %q: %v", f[2], err)
	}
	return f[0], n, h
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: alprcheck DIR [PROOF ...]")
		os.Exit(2)
	}
	dir := os.Args[1]
	var vs []note.Verifier
	for _, l := range lines(dir + "/keys.ndjson") {
		var k struct{ Key string }
		if err := json.Unmarshal(l, &k); err != nil {
			fail("keys.ndjson: %v", err)
		}
		v, err := note.NewVerifier(k.Key)
		if err != nil {
			fail("keys.ndjson: key %q: %v", k.Key, err)
		}
		vs = append(vs, v)
	}
	verifiers := note.VerifierList(vs...)

	// The tree of log.ndjson as tlog stores it.
	var hashes []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	var n int64
	f, err := os.Open(dir + "/log.ndjson")
	if err != nil {
		fail("%v", err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		s, err := tlog.StoredHashes(n, sc.Bytes(), reader)
		if err != nil {
			fail("log.ndjson: %v", err)
		}
		hashes = append(hashes, s...)
		n++
	}

	cps := 0
	for i, l := range lines(dir + "/checkpoints.ndjson") {
		var c struct{ Note string }
		if err := json.Unmarshal(l, &c); err != nil {
			fail("checkpoints.ndjson:%d: %v", i+1, err)
		}
		msg, err := note.Open([]byte(c.Note), verifiers)
		if err != nil {
			fail("checkpoints.ndjson:%d: note.Open: %v", i+1, err)
		}
		_, size, root := parse(msg.Text)
		if size > n {
			fail("checkpoints.ndjson:%d: size %d, the log has %d", i+1, size, n)
		}
		th, err := tlog.TreeHash(size, reader)
		if err != nil {
			fail("checkpoints.ndjson:%d: %v", i+1, err)
		}
		if size == 0 {
			// RFC 6962: the empty tree's hash is SHA-256 of nothing;
			// tlog leaves it zero.
			th = sha256.Sum256(nil)
		}
		if th != root {
			fail("checkpoints.ndjson:%d: root %v, tlog computes %v", i+1, root, th)
		}
		cps++
	}

	proofs := 0
	for _, p := range os.Args[2:] {
		b, err := os.ReadFile(p)
		if err != nil {
			fail("%v", err)
		}
		var r struct {
			Seq        int64
			Size       int64
			Entry      string
			Proof      []string
			Checkpoint string
		}
		if err := json.Unmarshal(b, &r); err != nil {
			fail("%s: %v", p, err)
		}
		msg, err := note.Open([]byte(r.Checkpoint), verifiers)
		if err != nil {
			fail("%s: note.Open: %v", p, err)
		}
		_, size, root := parse(msg.Text)
		var rp tlog.RecordProof
		for _, s := range r.Proof {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil || len(b) != tlog.HashSize {
				fail("%s: proof hash %q", p, s)
			}
			var h tlog.Hash
			copy(h[:], b)
			rp = append(rp, h)
		}
		if err := tlog.CheckRecord(rp, size, root, r.Seq, tlog.RecordHash([]byte(r.Entry))); err != nil {
			fail("%s: tlog.CheckRecord: %v", p, err)
		}
		proofs++
	}
	fmt.Printf("ok: %d checkpoints and %d entries agree, %d proofs hold\n", cps, n, proofs)
}
