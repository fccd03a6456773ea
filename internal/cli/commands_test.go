package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/privy-go/privy-go/gen"
	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/privy/privytest"
)

// cmdCase is one command run end to end against a fresh fake.
type cmdCase struct {
	name  string
	args  func(t *testing.T, dir string, srv *privytest.Server) []string
	code  int
	check func(t *testing.T, dir string, srv *privytest.Server, r result)
}

func static(args ...string) func(*testing.T, string, *privytest.Server) []string {
	return func(*testing.T, string, *privytest.Server) []string { return args }
}

// firstEmail is the email of the oldest seeded contact that has one.
func firstEmail(t *testing.T, srv *privytest.Server) string {
	t.Helper()
	for _, c := range srv.Contacts() {
		if c.Email != nil {
			return *c.Email
		}
	}
	t.Fatal("no seeded contact has an email")
	return ""
}

func findContact(srv *privytest.Server, email string) *gen.Contact {
	for _, c := range srv.Contacts() {
		if c.Email != nil && *c.Email == email {
			return &c
		}
	}
	return nil
}

func decodeContacts(t *testing.T, s string) []gen.Contact {
	t.Helper()
	var cs []gen.Contact
	if err := json.Unmarshal([]byte(s), &cs); err != nil {
		t.Fatalf("stdout is not a JSON array of contacts: %v\n%s", err, s)
	}
	return cs
}

func writeCSV(t *testing.T, dir, name string, rows ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	writeFile(t, p, strings.Join(rows, "\n")+"\n")
	return p
}

var commandCases = []cmdCase{
	{
		name: "list prints a page as JSON when stdout is not a terminal",
		args: static("contacts", "list"),
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			if cs := decodeContacts(t, r.stdout); len(cs) != 25 {
				t.Errorf("%d contacts, want the default page of 25", len(cs))
			}
		},
	},
	{
		name: "list sends its filters and paging",
		args: static("contacts", "list", "--per-page", "5", "--page", "2", "--email-permission", "subscribed", "--sms-permission", "non_subscribed"),
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			cs := decodeContacts(t, r.stdout)
			if len(cs) == 0 || len(cs) > 5 {
				t.Fatalf("%d contacts, want 1 to 5", len(cs))
			}
			for _, c := range cs {
				if c.EmailPermission != gen.ConsentSubscribed || c.ContactPhonePermission != gen.ConsentNonSubscribed {
					t.Errorf("contact %v does not match the filters", c)
				}
			}
			q := srv.Requests()[0].Query
			if q.Get("page") != "2" || q.Get("per_page") != "5" || q.Get("email_permission") != "subscribed" || q.Get("contact_phone_permission") != "non_subscribed" {
				t.Errorf("query = %v", q)
			}
		},
	},
	{
		name: "list --email finds one contact",
		args: func(t *testing.T, _ string, srv *privytest.Server) []string {
			return []string{"contacts", "list", "--email", firstEmail(t, srv)}
		},
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			cs := decodeContacts(t, r.stdout)
			if len(cs) != 1 || *cs[0].Email != firstEmail(t, srv) {
				t.Errorf("got %v", cs)
			}
		},
	},
	{
		name: "list --all walks every page",
		args: static("contacts", "list", "--all"),
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			if cs := decodeContacts(t, r.stdout); len(cs) != 150 {
				t.Errorf("%d contacts, want 150", len(cs))
			}
			if n := ops(srv)["listContacts"]; n != 2 {
				t.Errorf("%d list requests, want 2 pages of 100", n)
			}
		},
	},
	{
		name: "list --output table",
		args: static("contacts", "list", "--output", "table", "--per-page", "2"),
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if len(lines) != 4 || !strings.HasPrefix(lines[0], columnLabel(specmodel.MustLoad().Contact[0].Name)+" ") || lines[3] != "page 1 of 75 (150 contacts, 2 per page)" {
				t.Errorf("table:\n%s", r.stdout)
			}
		},
	},
	{
		name: "create sends every field and prints the contact",
		args: static("contacts", "create", "--email", "new@example.com", "--phone", "+15557654321", "--first-name", "New",
			"--last-name", "Person", "--tag", "a", "--tag", "b", "--field", "tier=gold", "--field", "score=7",
			"--field", "vip=true", "--email-consent", "subscribed", "--sms-consent", "subscribed"),
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			var printed gen.Contact
			if err := json.Unmarshal([]byte(r.stdout), &printed); err != nil || deref(printed.Email) != "new@example.com" {
				t.Fatalf("printed %q (%v)", r.stdout, err)
			}
			c := findContact(srv, "new@example.com")
			if c == nil {
				t.Fatal("not in the store")
			}
			cf, _ := json.Marshal(c.CustomFields)
			if deref(c.FirstName) != "New" || deref(c.LastName) != "Person" || deref(c.PhoneNumber) != "+15557654321" ||
				!slices.Equal(c.Tags, []string{"a", "b"}) || string(cf) != `{"score":7,"tier":"gold","vip":true}` ||
				c.EmailPermission != gen.ConsentSubscribed || c.ContactPhonePermission != gen.ConsentSubscribed {
				t.Errorf("stored %+v custom %s", c, cf)
			}
		},
	},
	{
		name: "update changes the named contact",
		args: func(t *testing.T, _ string, srv *privytest.Server) []string {
			return []string{"contacts", "update", "--email", firstEmail(t, srv), "--first-name", "Changed", "--tag", "only"}
		},
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			c := findContact(srv, firstEmail(t, srv))
			if deref(c.FirstName) != "Changed" || !slices.Equal(c.Tags, []string{"only"}) {
				t.Errorf("stored %+v", c)
			}
		},
	},
	{
		name: "unsubscribe withdraws email consent",
		args: func(t *testing.T, _ string, srv *privytest.Server) []string {
			return []string{"contacts", "unsubscribe", "--email", firstEmail(t, srv), "--reason", "moved away"}
		},
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			if c := findContact(srv, firstEmail(t, srv)); c.EmailPermission != gen.ConsentUnsubscribed {
				t.Errorf("email_permission = %s", c.EmailPermission)
			}
			body := srv.Requests()[0].Body
			if !strings.Contains(string(body), `"reason":"moved away"`) {
				t.Errorf("request body %s has no reason", body)
			}
		},
	},
	{
		name: "delete removes the named contact",
		args: func(t *testing.T, _ string, srv *privytest.Server) []string {
			return []string{"contacts", "delete", "--email", firstEmail(t, srv)}
		},
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			if len(srv.Contacts()) != 149 {
				t.Errorf("%d contacts left, want 149", len(srv.Contacts()))
			}
			var printed gen.Contact
			if err := json.Unmarshal([]byte(r.stdout), &printed); err != nil || printed.Email == nil {
				t.Errorf("printed %q", r.stdout)
			}
		},
	},
	{
		name: "export ndjson (the default) streams every contact",
		args: static("contacts", "export"),
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			n := 0
			sc := bufio.NewScanner(strings.NewReader(r.stdout))
			for sc.Scan() {
				var c gen.Contact
				if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
					t.Fatalf("line %d: %v", n+1, err)
				}
				n++
			}
			if n != 150 || ops(srv)["listContacts"] != 2 {
				t.Errorf("%d lines in %d requests, want 150 in 2", n, ops(srv)["listContacts"])
			}
			for _, req := range srv.Requests() {
				if req.Query.Get("per_page") != "100" {
					t.Errorf("per_page = %q, want 100", req.Query.Get("per_page"))
				}
			}
		},
	},
	{
		name: "export --format json is one array",
		args: static("contacts", "export", "--format", "json", "--email-permission", "subscribed"),
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			cs := decodeContacts(t, r.stdout)
			want := 0
			for _, c := range srv.Contacts() {
				if c.EmailPermission == gen.ConsentSubscribed {
					want++
				}
			}
			if len(cs) != want || want == 0 {
				t.Errorf("%d contacts, want %d", len(cs), want)
			}
		},
	},
	{
		name: "export --format csv --out writes the file",
		args: func(t *testing.T, dir string, _ *privytest.Server) []string {
			return []string{"contacts", "export", "--format", "csv", "--out", filepath.Join(dir, "out.csv")}
		},
		check: func(t *testing.T, dir string, srv *privytest.Server, r result) {
			f, err := os.Open(filepath.Join(dir, "out.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := csv.NewReader(f).ReadAll()
			if err != nil || len(recs) != 151 || recs[0][0] != specmodel.MustLoad().Create[0].Name {
				t.Errorf("%d records (%v)", len(recs), err)
			}
			if r.stdout != "" || !strings.Contains(r.stderr, "exported 150 contacts") {
				t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
			}
		},
	},
	{
		name: "import creates each row and prints a summary",
		args: func(t *testing.T, dir string, _ *privytest.Server) []string {
			return []string{"contacts", "import", writeCSV(t, dir, "in.csv",
				"email,phone_number,first_name,tags,email_consent,custom.tier",
				"i1@example.com,,One,a;b,subscribed,gold",
				",+15559990002,Two,,,",
				"i3@example.com,+15559990003,Three,,,7")}
		},
		check: func(t *testing.T, dir string, srv *privytest.Server, r result) {
			if !strings.HasPrefix(r.stdout, "created 3, updated 0, skipped 0, rejected 0 in ") {
				t.Errorf("summary %q", r.stdout)
			}
			c := findContact(srv, "i1@example.com")
			if c == nil || deref(c.FirstName) != "One" || !slices.Equal(c.Tags, []string{"a", "b"}) || c.CustomFields["tier"] != "gold" || c.EmailPermission != gen.ConsentSubscribed {
				t.Errorf("stored %+v", c)
			}
			if c := findContact(srv, "i3@example.com"); c == nil || c.CustomFields["tier"] != float64(7) {
				t.Errorf("stored %+v", c)
			}
			if len(srv.Contacts()) != 153 {
				t.Errorf("%d contacts, want 153", len(srv.Contacts()))
			}
			state, _ := os.ReadFile(filepath.Join(dir, "in.csv.state"))
			if strings.Count(string(state), "done ") != 3 {
				t.Errorf("journal:\n%s", state)
			}
		},
	},
	{
		name: "import --upsert updates existing contacts",
		args: func(t *testing.T, dir string, srv *privytest.Server) []string {
			return []string{"contacts", "import", "--upsert", writeCSV(t, dir, "in.csv",
				"email,first_name,email_consent",
				firstEmail(t, srv)+",Upserted,subscribed",
				"fresh@example.com,Fresh,")}
		},
		check: func(t *testing.T, dir string, srv *privytest.Server, r result) {
			if !strings.HasPrefix(r.stdout, "created 1, updated 1, skipped 0, rejected 0") {
				t.Errorf("summary %q", r.stdout)
			}
			if c := findContact(srv, firstEmail(t, srv)); deref(c.FirstName) != "Upserted" {
				t.Errorf("stored %+v", c)
			}
			if !strings.Contains(r.stderr, "without their email_consent/sms_consent") {
				t.Errorf("no note about consents: %q", r.stderr)
			}
		},
	},
	{
		name: "import rejects failed rows into FILE.rejects.csv and exits 1",
		args: func(t *testing.T, dir string, srv *privytest.Server) []string {
			return []string{"contacts", "import", writeCSV(t, dir, "in.csv",
				"email,phone_number",
				firstEmail(t, srv)+",",
				"ok@example.com,",
				"bad@example.com,12345")}
		},
		code: 1,
		check: func(t *testing.T, dir string, srv *privytest.Server, r result) {
			if !strings.HasPrefix(r.stdout, "created 1, updated 0, skipped 0, rejected 2") {
				t.Errorf("summary %q", r.stdout)
			}
			f, err := os.Open(filepath.Join(dir, "in.csv.rejects.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, _ := csv.NewReader(f).ReadAll()
			want := [][]string{
				{"email", "phone_number", "error"},
				{firstEmail(t, srv), "", "line 2: conflict: " + specReply(t, "Conflict", "email")},
				{"bad@example.com", "12345", "line 4: validation_failed: " + specReply(t, "ValidationFailed") + "; " + specDetail(t, "phone_number")},
			}
			if !slices.EqualFunc(recs, want, slices.Equal) {
				t.Errorf("rejects = %q\nwant %q", recs, want)
			}
			if !strings.Contains(r.stderr, "error: 2 rows failed; see ") {
				t.Errorf("stderr %q", r.stderr)
			}
		},
	},
	{
		name: "import --dry-run reports bad rows by line and sends nothing",
		args: func(t *testing.T, dir string, _ *privytest.Server) []string {
			return []string{"contacts", "import", "--dry-run", writeCSV(t, dir, "in.csv",
				"email,phone_number,first_name,email_consent,custom_fields",
				"good@example.com,,Good,,",
				",,NoIdentifier,,",
				"\"multi",
				"line@x\",,Quoted,,",
				"bad@example.com,555,Bad,maybe,",
				"short@example.com",
				"json@example.com,,,,[1]",
				"bare\"quote@example.com,,,,")}
		},
		code: 1,
		check: func(t *testing.T, _ string, srv *privytest.Server, r result) {
			want := strings.Join([]string{
				"line 3: base: " + specRule(t, specmodel.OpCreate, "anyOf"),
				"line 4: " + specDetail(t, "email"),
				"line 6: " + specDetail(t, "email_consent"),
				"line 6: " + specDetail(t, "phone_number"),
				"line 7: base: has 1 fields, the header has 5",
				"line 8: custom_fields: must be a JSON object",
				`line 9: base: bare " in non-quoted-field`,
				"7 rows checked, 6 invalid; nothing was sent",
			}, "\n") + "\n"
			if r.stdout != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		},
	},
}

// TestCommands runs every command end to end against the fake, in process and as a binary
// over HTTP.
func TestCommands(t *testing.T) {
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			for _, tc := range commandCases {
				t.Run(tc.name, func(t *testing.T) {
					srv := newFake(t)
					dir := t.TempDir()
					r := rn.run(t, envFor(srv, ""), tc.args(t, dir, srv)...)
					if r.code != tc.code {
						t.Fatalf("want exit %d, got %s", tc.code, r)
					}
					tc.check(t, dir, srv, r)
				})
			}
		})
	}
}
