package cli

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
)

// TestFakeFlag is the README's "run the main job" command: no environment at all.
func TestFakeFlag(t *testing.T) {
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			r := rn.run(t, nil, "--fake", "contacts", "list")
			if r.code != 0 {
				t.Fatalf("%s", r)
			}
			if cs := decodeContacts(t, r.stdout); len(cs) != 25 {
				t.Errorf("%d contacts", len(cs))
			}
			r = rn.run(t, nil, "--fake", "contacts", "create", "--email", "fake@example.com", "--output", "table")
			if r.code != 0 || !strings.Contains(r.stdout, "fake@example.com") {
				t.Errorf("%s", r)
			}
		})
	}
}

// TestFakeServer serves the fake, reads the printed base URL and token, uses them, and
// stops the server by ending the context.
func TestFakeServer(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	var errb safeBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"fake-server", "--addr", "127.0.0.1:0", "--contacts", "7", "--seed", "3"}, nil, pw, &errb, func(string) string { return "" })
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	env := map[string]string{}
	for len(env) < 2 && sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		env[k] = v
	}
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(env["PRIVY_BASE_URL"], "http://127.0.0.1:") || !strings.HasSuffix(env["PRIVY_BASE_URL"], "/v1") || env["PRIVY_TOKEN"] == "" {
		t.Fatalf("printed %v", env)
	}
	r := runInProcess(t, env, "contacts", "list", "--all")
	if r.code != 0 || len(decodeContacts(t, r.stdout)) != 7 {
		t.Errorf("listing the fake server: %s", r)
	}
	r = runBinary(t, env, "contacts", "list")
	if r.code != 0 || len(decodeContacts(t, r.stdout)) != 7 {
		t.Errorf("listing the fake server with the binary: %s", r)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("fake-server exited %d: %s", code, errb.String())
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:0": true, "localhost:1": true, "127.5.5.5:80": true,
		"0.0.0.0:8080": false, ":8080": false, "10.0.0.1:80": false, "example.com:80": false, "nonsense": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v", addr, err)
		}
	}
}
