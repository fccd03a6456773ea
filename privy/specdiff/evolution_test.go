package specdiff_test

// The evolution loop (issue 6): a realistic next release of the API is applied to a copy of a
// frozen release (testdata/releases/openapi-v0.1.0.yaml, so that a real release cannot break
// it), Go code is regenerated from it exactly as `make generate` would, and the diff report
// must name every breaking change and list the additive ones as non-breaking.

import (
	"go/ast"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/privy-go/privy-go/internal/evolve"
	"github.com/privy-go/privy-go/privy/specdiff"
)

// evoNextRelease applies a plausible next API release to the spec, editing the YAML tree so that
// everything it does not touch stays byte-for-byte the same:
//   - breaking: responses rename Contact.email_permission to email_consent (schema, required
//     list and response examples);
//   - breaking: the Consent enum replaces non_subscribed with never_subscribed;
//   - additive: Contact gains an optional id, and GET /contacts/{id} (getContact) appears.
func evoNextRelease(t *testing.T, doc []byte) []byte {
	t.Helper()
	s := evolve.ParseSpec(t, doc)
	top := s.Top()
	schemas := s.Lookup(top, "components", "schemas")

	contact := s.Lookup(schemas, "Contact")
	s.RenameKey(s.Lookup(contact, "properties"), "email_permission", "email_consent")
	required := s.Lookup(contact, "required")
	s.ReplaceScalar(required, "email_permission", "email_consent")
	s.AppendPair(s.Lookup(contact, "properties"), "id", `
type: string
description: The contact's id (new in this release).
example: ct_8a3f1c2e`)

	consent := s.Lookup(schemas, "Consent")
	s.ReplaceScalar(s.Lookup(consent, "enum"), "non_subscribed", "never_subscribed")
	s.Lookup(consent, "x-privy-error").Value = "must be one of: subscribed, unsubscribed, never_subscribed"
	// Defaults follow the vocabulary.
	evolve.WalkUnder(schemas, "CreateContactRequest", func(n *yaml.Node) {
		for i := 0; n.Kind == yaml.MappingNode && i < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value == "default" && v.Value == "non_subscribed" {
				v.Value = "never_subscribed"
			}
		}
	})

	// Response examples follow the schema, so the revised document stays self-consistent.
	var renamed int
	evolve.WalkUnder(top, "responses", func(n *yaml.Node) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "email_permission" {
				k.Value = "email_consent"
				renamed++
			}
			if k.Value == "email_consent" && v.Value == "non_subscribed" {
				v.Value = "never_subscribed"
			}
		}
	})
	if renamed == 0 {
		t.Fatal("no response example carries email_permission: the revision no longer matches openapi.yaml")
	}

	s.AppendPair(s.Lookup(top, "paths"), "/contacts/{id}", `
get:
  operationId: getContact
  summary: Get a contact by id
  description: Returns one contact. Requires scope contacts_read.
  tags: [Contacts]
  parameters:
    - name: id
      in: path
      required: true
      description: The contact's id.
      schema: { type: string }
  responses:
    "200":
      description: The contact.
      content:
        application/json:
          schema: { $ref: "#/components/schemas/ContactEnvelope" }
    "404": { $ref: "#/components/responses/NotFound" }`)

	return s.Bytes()
}

// evoFieldsOf returns the field names of struct type name, and whether it exists.
func evoFieldsOf(f *ast.File, name string) ([]string, bool) {
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range gd.Specs {
			ts, ok := s.(*ast.TypeSpec)
			if !ok || ts.Name.Name != name {
				continue
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return nil, false
			}
			var names []string
			for _, fld := range st.Fields.List {
				for _, n := range fld.Names {
					names = append(names, n.Name)
				}
			}
			return names, true
		}
	}
	return nil, false
}

// evoHasIdent reports whether a top-level value (const/var) or func named name is declared.
func evoHasIdent(f *ast.File, name string) bool {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.Name == name {
				return true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if vs, ok := s.(*ast.ValueSpec); ok && slices.ContainsFunc(vs.Names, func(n *ast.Ident) bool { return n.Name == name }) {
					return true
				}
			}
		}
	}
	return false
}

func TestEvolutionRegenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates code twice")
	}
	doc := diffSpecFile(t)
	revised := evoNextRelease(t, doc)
	dir := t.TempDir()
	oldPath, newPath := filepath.Join(dir, "old", "openapi.yaml"), filepath.Join(dir, "new", "openapi.yaml")
	for p, b := range map[string][]byte{oldPath: doc, newPath: revised} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root := evolve.ModuleRoot(t, ".")
	_, before := evolve.GenerateFrom(t, root, oldPath, filepath.Dir(oldPath))
	_, after := evolve.GenerateFrom(t, root, newPath, filepath.Dir(newPath))

	// The same generator on today's spec has the fields the revision removes: the checks
	// below can fail.
	fields, ok := evoFieldsOf(before, "Contact")
	if !ok || !slices.Contains(fields, "EmailPermission") || slices.Contains(fields, "EmailConsent") {
		t.Fatalf("today's Contact fields %v: want EmailPermission and no EmailConsent", fields)
	}
	if !evoHasIdent(before, "ConsentNonSubscribed") {
		t.Fatal("today's code lacks ConsentNonSubscribed")
	}

	fields, ok = evoFieldsOf(after, "Contact")
	if !ok {
		t.Fatal("regenerated code has no Contact struct")
	}
	for _, want := range []string{"EmailConsent", "Id"} {
		if !slices.Contains(fields, want) {
			t.Errorf("regenerated Contact lacks %s; fields %v", want, fields)
		}
	}
	if slices.Contains(fields, "EmailPermission") {
		t.Errorf("regenerated Contact still has EmailPermission; fields %v", fields)
	}
	if evoHasIdent(after, "ConsentNonSubscribed") || !evoHasIdent(after, "ConsentNeverSubscribed") {
		t.Error("regenerated Consent constants: want ConsentNeverSubscribed and no ConsentNonSubscribed")
	}
	// The request side keeps its own names: only responses were renamed.
	if fields, _ := evoFieldsOf(after, "CreateContactRequest"); !slices.Contains(fields, "EmailConsent") {
		t.Errorf("regenerated CreateContactRequest fields %v: want EmailConsent unchanged", fields)
	}
	if !evoHasIdent(after, "NewGetContactRequest") {
		t.Error("regenerated client lacks the new getContact operation (NewGetContactRequest)")
	}
}

func TestEvolutionDiffNamesBreakingChanges(t *testing.T) {
	doc := diffSpecFile(t)
	report, err := specdiff.Diff(t.Context(), doc, evoNextRelease(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if !report.Breaking() {
		t.Fatalf("the next release is not reported as breaking: %v", report.Changes)
	}
	var text strings.Builder
	if err := report.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	t.Logf("report:\n%s", text.String())

	has := func(breaking bool, id, opID, fragment string) bool {
		return slices.ContainsFunc(report.Changes, func(c specdiff.Change) bool {
			return c.Breaking == breaking && c.ID == id && (opID == "" || c.OperationID == opID) && strings.Contains(c.Text, fragment)
		})
	}
	// Every operation that returns a Contact renames email_permission to email_consent: one
	// rename, standing for oasdiff's removed and added property in each of them.
	i := slices.IndexFunc(report.Renames, func(r specdiff.Rename) bool {
		return r.Kind == "property" && r.In == "response" && r.From == "email_permission" && r.To == "email_consent"
	})
	if i < 0 {
		t.Fatalf("no rename email_permission → email_consent in %+v", report.Renames)
	}
	rename := report.Renames[i]
	for _, op := range []string{"listContacts", "createContact", "updateContact", "deleteContact", "unsubscribeContact"} {
		if !slices.ContainsFunc(rename.Places, func(p specdiff.Place) bool { return p.OperationID == op }) {
			t.Errorf("%s: the rename is not placed there; places %+v", op, rename.Places)
		}
		if has(true, "response-required-property-removed", op, "email_permission") || has(false, "response-required-property-added", op, "email_consent") {
			t.Errorf("%s: the rename's halves are still listed on their own", op)
		}
		if !has(false, "response-optional-property-added", op, "/id") {
			t.Errorf("%s: the new optional id is not listed as non-breaking", op)
		}
	}
	if !slices.Equal(rename.EnumRemoved, []string{"non_subscribed"}) || !slices.Equal(rename.EnumAdded, []string{"never_subscribed"}) {
		t.Errorf("enum across the rename: removed %v added %v; want [non_subscribed] [never_subscribed]", rename.EnumRemoved, rename.EnumAdded)
	}
	if !has(true, specdiff.IDPropertyRenamed, "", "`email_permission` → `email_consent`") {
		t.Error("no breaking property-renamed finding")
	}
	if !has(true, specdiff.IDEnumChangedAcrossRename, "", "never_subscribed") {
		t.Error("the response enum change across the rename is not breaking")
	}
	// The removed enum value, where clients send it.
	if !has(true, "request-parameter-enum-value-removed", "listContacts", "non_subscribed") {
		t.Error("no breaking change names non_subscribed removed from the email_permission filter")
	}
	// oasdiff reports a change to a shared schema (Consent) once, at its first use, naming the
	// schema and its other uses.
	if !has(true, "request-property-enum-value-removed", "", "shared schema: `Consent`") ||
		!has(true, "request-property-enum-value-removed", "", "non_subscribed") {
		t.Error("no breaking change names non_subscribed removed from the shared Consent schema in requests")
	}
	// The new endpoint is additive.
	if !slices.ContainsFunc(report.Changes, func(c specdiff.Change) bool {
		return c.ID == "endpoint-added" && !c.Breaking && c.Path == "/contacts/{id}" && c.Operation == "GET"
	}) {
		t.Error("GET /contacts/{id} is not listed as an added, non-breaking endpoint")
	}
	// Nothing else is called breaking: the report has no noise from the YAML round trip.
	known := []string{specdiff.IDPropertyRenamed, specdiff.IDEnumChangedAcrossRename, "request-parameter-enum-value-removed", "request-property-enum-value-removed"}
	for _, c := range report.Changes {
		if c.Breaking && !slices.Contains(known, c.ID) {
			t.Errorf("unexpected breaking change: %s", c)
		}
	}
	for _, want := range []string{"email_permission", "non_subscribed", "never_subscribed", "/contacts/{id}"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text report does not mention %s", want)
		}
	}
}
