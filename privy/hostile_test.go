package privy

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hostile starts an httptest server with h and a client for it with opts.
func hostile(t *testing.T, h http.HandlerFunc, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(append([]Option{WithToken(testToken), WithBaseURL(srv.URL + "/v1")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTimeout(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	drip := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		for {
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond): // one byte a tick, never done
			}
		}
	}
	for _, tt := range []struct {
		name    string
		h       http.HandlerFunc
		reading bool
	}{{"stall", stall, false}, {"drip", drip, true}} {
		t.Run(tt.name, func(t *testing.T) {
			c := hostile(t, tt.h, WithTimeout(150*time.Millisecond))
			start := time.Now()
			_, _, err := c.ListContacts(context.Background(), &ListContactsParams{Email: ptr("secret.person@example.com")})
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %v with a 150ms timeout", took)
			}
			if err == nil || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want a timeout", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "timed out") || !strings.Contains(msg, "GET /v1/contacts") || !strings.Contains(msg, "150ms") {
				t.Errorf("err = %q, want it to say the request timed out and name it", msg)
			}
			if strings.Contains(msg, "secret.person") || strings.Contains(msg, "email=") {
				t.Errorf("err = %q shows the query string", msg)
			}
			if got := strings.Contains(msg, "response body"); got != tt.reading {
				t.Errorf("err = %q: says it was reading the body: %v, want %v", msg, got, tt.reading)
			}
		})
	}
	t.Run("transient retries repeat an idempotent call that timed out", func(t *testing.T) {
		var n atomic.Int32
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			<-r.Context().Done()
		}, WithTimeout(50*time.Millisecond), WithTransientRetries(), WithMaxAttempts(2), WithClock(newFakeClock()))
		if _, _, err := c.ListContacts(context.Background(), nil); !errors.Is(err, context.DeadlineExceeded) || n.Load() != 2 {
			t.Errorf("err = %v after %d attempts, want a timeout after 2", err, n.Load())
		}
	})
	t.Run("default", func(t *testing.T) {
		c := hostile(t, stall)
		if c.t.o.timeout != DefaultTimeout || DefaultTimeout != 30*time.Second {
			t.Errorf("default timeout %v", c.t.o.timeout)
		}
	})
}

// endless answers status with prefix, then repeats chunk until the client goes away.
func endless(status int, prefix, chunk string, gz bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var out io.Writer = w
		if gz {
			w.Header().Set("Content-Encoding", "gzip")
			z, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
			defer z.Close()
			out = z
		}
		w.WriteHeader(status)
		io.WriteString(out, prefix)
		b := []byte(strings.Repeat(chunk, (64<<10)/len(chunk)))
		for r.Context().Err() == nil {
			if _, err := out.Write(b); err != nil {
				return
			}
		}
	}
}

func TestResponseCap(t *testing.T) {
	contact := `{"email":"a@example.com","email_permission":"subscribed","contact_phone_permission":"subscribed","tags":[],"custom_fields":{},"created_at":"2025-01-15T10:30:00Z","updated_at":"2025-01-15T10:30:00Z"},`
	huge := `{"data":[` + strings.Repeat(contact, 100) + `{}],"pagination":{"page":1,"per_page":100,"total_count":101,"total_pages":1}}`
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
		cap  int64
	}{
		{"huge", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, huge) }, 4 << 10},
		{"endless", endless(200, `{"data":[`, contact, false), 0},
		{"gzip bomb", endless(200, `{"data":[`, strings.Repeat(" ", 1024), true), 0},
		{"endless error body", endless(500, "", "x", false), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opts []Option
			if tt.cap > 0 {
				opts = append(opts, WithMaxResponseBytes(tt.cap))
			}
			c := hostile(t, tt.h, opts...)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, _, err := c.ListContacts(context.Background(), nil)
			runtime.ReadMemStats(&after)
			if tt.name == "endless error body" {
				var e *Error
				if !errors.As(err, &e) || e.StatusCode != 500 || len(e.Body) != maxErrorBody {
					t.Errorf("err = %v, want a 500 *Error with a 64 KiB body", err)
				}
			} else {
				want := byteSize(cmpOr(tt.cap, DefaultMaxResponseBytes))
				if !errors.Is(err, ErrResponseTooLarge) || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want ErrResponseTooLarge naming the %s cap", err, want)
				}
			}
			// Allocation is bounded by the cap (a buffer growing to it), not by the body.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MiB reading a capped body", alloc>>20)
			}
		})
	}
	t.Run("within the cap", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			z := gzip.NewWriter(w)
			w.Header().Set("Content-Encoding", "gzip")
			io.WriteString(z, huge)
			z.Close()
		}, WithMaxResponseBytes(int64(len(huge))))
		if list, _, err := c.ListContacts(context.Background(), nil); err != nil || len(list.Data) != 101 {
			t.Errorf("a body of exactly the cap: %v", err)
		}
	})
}

func cmpOr(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

func TestMalformedSuccess(t *testing.T) {
	type call func(c *Client) (any, error)
	list := func(c *Client) (any, error) { v, _, err := c.ListContacts(context.Background(), nil); return v, err }
	create := func(c *Client) (any, error) {
		v, _, err := c.CreateContact(context.Background(), CreateContactRequest{Email: ptr("a@example.com")})
		return v, err
	}
	iterate := func(c *Client) (any, error) {
		for _, err := range c.Contacts(context.Background(), nil) {
			if err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	for _, tt := range []struct {
		name   string
		call   call
		status int
		body   string
		want   string // in the error
	}{
		{"list 204", list, 204, "", "no body"},
		{"list empty 200", list, 200, "", "no body"},
		{"list null", list, 200, "null", "not a JSON object"},
		{"list {}", list, 200, "{}", `"data"`},
		{"list without pagination", list, 200, `{"data":[]}`, `"pagination"`},
		{"list array", list, 200, `[]`, "not a JSON object"},
		{"list data null", list, 200, `{"data":null,"pagination":{}}`, `"data"`},
		{"iterate 204", iterate, 204, "", "no body"},
		{"iterate empty 200", iterate, 200, "", "no body"},
		{"iterate {}", iterate, 200, "{}", `"data"`},
		{"create null", create, 201, "null", "not a JSON object"},
		{"create {}", create, 201, "{}", `"data"`},
		{"create 204", create, 204, "", "no body"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			v, err := tt.call(c)
			if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrMalformedResponse saying %s", err, tt.want)
			}
			if fmt.Sprint(v) != "<nil>" && !strings.HasPrefix(fmt.Sprintf("%#v", v), "(*") {
				t.Errorf("value = %#v alongside the error", v)
			}
		})
	}
	t.Run("delete 204 is a nil contact", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
		ct, _, err := c.DeleteContact(context.Background(), DeleteContactRequest{Email: ptr("a@example.com")})
		if ct != nil || err != nil {
			t.Errorf("DeleteContact on 204 = %v, %v", ct, err)
		}
	})
}

func TestIteratorProgress(t *testing.T) {
	page := func(n, per, total, pages int, first int) string {
		var b bytes.Buffer
		b.WriteString(`{"data":[`)
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"email":"c%d@example.com","email_permission":"subscribed","contact_phone_permission":"subscribed","tags":[],"custom_fields":{},"created_at":"2025-01-15T10:30:00Z","updated_at":"2025-01-15T10:30:00Z"}`, first+i)
		}
		fmt.Fprintf(&b, `],"pagination":{"page":%%d,"per_page":%d,"total_count":%d,"total_pages":%d}}`, per, total, pages)
		return b.String()
	}
	run := func(t *testing.T, h func(page, per int) string) (n int, queries []string, err error) {
		var mu sync.Mutex
		defer func() { mu.Lock(); queries = slices.Clone(queries); mu.Unlock() }()
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			queries = append(queries, r.URL.RawQuery)
			mu.Unlock()
			var p, per int
			fmt.Sscan(r.URL.Query().Get("page"), &p)
			fmt.Sscan(r.URL.Query().Get("per_page"), &per)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, h(p, per))
		})
		for _, e := range c.Contacts(context.Background(), nil) {
			if e != nil {
				return n, queries, e
			}
			n++
		}
		return n, queries, nil
	}
	t.Run("follows the page size the server reports", func(t *testing.T) {
		n, q, err := run(t, func(p, per int) string { // caps per_page at 2, 5 contacts
			return fmt.Sprintf(page(min(2, 5-(p-1)*2), 2, 5, 3, (p-1)*2), p)
		})
		if err != nil || n != 5 || len(q) != 3 || q[1] != "page=2&per_page=2" {
			t.Errorf("%d contacts, queries %q, err %v; want 5 in 3 pages of 2", n, q, err)
		}
	})
	for _, tt := range []struct {
		name string
		h    func(p, per int) string
		want string
	}{
		{"a page repeated", func(p, per int) string { return fmt.Sprintf(page(per, per, 1000, 10, 0), p) }, "repeats page 1"},
		{"the wrong page", func(p, per int) string { return fmt.Sprintf(page(per, per, 1000, 10, p*per), 1) }, "answered page 1"},
		{"more than total_count", func(p, per int) string { return fmt.Sprintf(page(per, per, 150, p+1, p*per), p) }, "more than the 150"},
		{"endless one more page", func(p, per int) string { return fmt.Sprintf(page(per, per, (p+1)*per, p+1, p*per), p) }, "keeps announcing more pages"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, q, err := run(t, tt.h)
			if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("after %d contacts in %d pages: err = %v, want it to say %q", n, len(q), err, tt.want)
			}
			if len(q) > 20 {
				t.Errorf("%d requests before stopping", len(q))
			}
		})
	}
}

// TestIteratorKeepsEveryParam fills every field of ListContactsParams, whatever the spec adds,
// and checks that the iterator sends each one as a direct ListContacts call does.
func TestIteratorKeepsEveryParam(t *testing.T) {
	var params ListContactsParams
	v := reflect.ValueOf(&params).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Pointer {
			t.Fatalf("field %s is not a pointer; teach this test its kind", v.Type().Field(i).Name)
		}
		val := reflect.New(f.Type().Elem())
		switch val.Elem().Kind() {
		case reflect.String:
			val.Elem().SetString("x" + strconv.Itoa(i))
		case reflect.Int:
			val.Elem().SetInt(int64(i + 1))
		default:
			t.Fatalf("field %s has kind %s; teach this test its kind", v.Type().Field(i).Name, val.Elem().Kind())
		}
		f.Set(val)
	}
	var mu sync.Mutex
	var queries []string
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		queries = append(queries, r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":[],"pagination":{"page":0,"per_page":0,"total_count":0,"total_pages":0}}`)
	}, WithoutValidation())
	if _, _, err := c.ListContacts(context.Background(), &params); err != nil {
		t.Fatal(err)
	}
	for _, err := range c.Contacts(context.Background(), &params) {
		if err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(queries) != 2 || queries[0] != queries[1] {
		t.Errorf("ListContacts sent %q, the iterator %q", queries[0], queries[len(queries)-1])
	}
}
