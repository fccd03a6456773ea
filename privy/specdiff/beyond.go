package specdiff

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"golang.org/x/mod/semver"
)

// The ids of the findings specdiff adds to oasdiff's.
const (
	// IDOperationMoved: an operationId sits under another method or path in the new revision.
	IDOperationMoved = "operation-moved"
	// IDPropertyRenamed: a property was removed and another of the same shape added beside it.
	IDPropertyRenamed = "property-renamed"
	// IDParameterRenamed: a parameter was removed and another of the same shape added beside it.
	IDParameterRenamed = "parameter-renamed"
	// IDEnumChangedAcrossRename: the enum of a renamed property or parameter lost or gained values.
	IDEnumChangedAcrossRename = "enum-changed-across-rename"
)

// Endpoint is an HTTP method and a path template.
type Endpoint struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// String returns "METHOD /path".
func (e Endpoint) String() string { return e.Method + " " + e.Path }

// Move is an operation that the new revision serves under another method or path, found by
// its operationId.
type Move struct {
	OperationID string   `json:"operationId"`
	From        Endpoint `json:"from"`
	To          Endpoint `json:"to"`
}

// Place is where a renamed property or parameter sits.
type Place struct {
	// OperationID names the operation, when it has an operationId.
	OperationID string `json:"operationId,omitempty"`
	// Method and Path locate the operation (in the old revision, for a moved operation).
	Method string `json:"method"`
	Path   string `json:"path"`
	// Status is the response status for a response property ("" for a request).
	Status string `json:"status,omitempty"`
	// Parent is the JSON pointer of the object holding the property inside the body, "" at
	// the top level and for parameters; "/data/items" is each element of the data array.
	Parent string `json:"parent,omitempty"`
}

// Rename is a likely rename: in the same place, a property or parameter was removed and
// exactly one of the same shape (type, format, item type) was added.
type Rename struct {
	// Kind is "property" or "parameter".
	Kind string `json:"kind"`
	// In is "request" or "response" for a property, the parameter's location (query, path,
	// header, cookie) for a parameter.
	In string `json:"in"`
	// From is the old name, To the new one.
	From string `json:"from"`
	To   string `json:"to"`
	// Places lists every operation (and status, parent object) where the rename was found.
	Places []Place `json:"places"`
	// EnumRemoved and EnumAdded compare the enum vocabularies of the old and the new name.
	EnumRemoved []string `json:"enumRemoved,omitempty"`
	EnumAdded   []string `json:"enumAdded,omitempty"`
}

// name names the place's operation: its operationId, or METHOD path when it has none.
func (p Place) name() string {
	if p.OperationID != "" {
		return p.OperationID
	}
	return p.Method + " " + p.Path
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// normalizePath makes path templates that differ only in parameter names equal, as oasdiff does.
func normalizePath(p string) string { return pathParam.ReplaceAllString(p, "{}") }

type located struct {
	method, path string
	op           *openapi3.Operation
}

func operationsByID(doc *openapi3.T) map[string]located {
	out := map[string]located{}
	if doc.Paths == nil {
		return out
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		for m, op := range doc.Paths.Value(p).Operations() {
			if op.OperationID != "" {
				out[op.OperationID] = located{m, p, op}
			}
		}
	}
	return out
}

// findMoves lists the operations whose operationId is served elsewhere in revision, and puts
// each back at its old method and path in revision, so that oasdiff compares the operation's
// content instead of reporting one endpoint removed and another added. revision is modified.
func findMoves(base, revision *openapi3.T) []Move {
	oldOps, newOps := operationsByID(base), operationsByID(revision)
	var moves []Move
	for id, o := range oldOps {
		n, ok := newOps[id]
		if !ok || (o.method == n.method && normalizePath(o.path) == normalizePath(n.path)) {
			continue
		}
		moves = append(moves, Move{OperationID: id, From: Endpoint{o.method, o.path}, To: Endpoint{n.method, n.path}})
		target := revision.Paths.Find(o.path)
		if target != nil && target.GetOperation(o.method) != nil {
			continue // the old place is taken in the new revision: let oasdiff report both
		}
		source := revision.Paths.Value(n.path)
		source.SetOperation(n.method, nil)
		if target == nil {
			target = &openapi3.PathItem{Parameters: source.Parameters, Servers: source.Servers}
			revision.Paths.Set(o.path, target)
		}
		target.SetOperation(o.method, n.op)
		if len(source.Operations()) == 0 {
			revision.Paths.Delete(n.path)
		}
	}
	slices.SortFunc(moves, func(a, b Move) int { return cmp.Compare(a.OperationID, b.OperationID) })
	return moves
}

// slot is one place holding named things: the parameters in one location, or the properties
// of one object of a request or response body.
type slot struct {
	kind, in, status, parent string
}

type member struct {
	shape  string
	schema *openapi3.Schema
}

// slotsOf lists the named members of every slot of an operation (path-level parameters too).
func slotsOf(item *openapi3.PathItem, op *openapi3.Operation) map[slot]map[string]member {
	out := map[slot]map[string]member{}
	add := func(s slot, name string, sch *openapi3.Schema) {
		if out[s] == nil {
			out[s] = map[string]member{}
		}
		out[s][name] = member{shapeOf(sch), sch}
	}
	var params openapi3.Parameters
	if item != nil {
		params = append(params, item.Parameters...)
	}
	params = append(params, op.Parameters...)
	for _, ref := range params {
		if p := ref.Value; p != nil {
			var sch *openapi3.Schema
			if p.Schema != nil {
				sch = p.Schema.Value
			}
			add(slot{kind: "parameter", in: p.In}, p.Name, sch)
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		for _, media := range op.RequestBody.Value.Content {
			if media.Schema != nil {
				walkProperties(media.Schema.Value, "", 0, nil, func(parent, name string, s *openapi3.Schema) {
					add(slot{kind: "property", in: "request", parent: parent}, name, s)
				})
			}
		}
	}
	if op.Responses != nil {
		for status, ref := range op.Responses.Map() {
			if ref.Value == nil {
				continue
			}
			for _, media := range ref.Value.Content {
				if media.Schema != nil {
					walkProperties(media.Schema.Value, "", 0, nil, func(parent, name string, s *openapi3.Schema) {
						add(slot{kind: "property", in: "response", status: status, parent: parent}, name, s)
					})
				}
			}
		}
	}
	return out
}

// walkProperties calls fn for each property of s and, recursively, of its object properties
// and array items, merging allOf, oneOf and anyOf branches. Cycles and deep nesting stop it.
func walkProperties(s *openapi3.Schema, parent string, depth int, seen []*openapi3.Schema, fn func(parent, name string, s *openapi3.Schema)) {
	if s == nil || depth > 8 || slices.Contains(seen, s) {
		return
	}
	seen = append(seen, s)
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, ref := range group {
			if ref != nil {
				walkProperties(ref.Value, parent, depth+1, seen, fn)
			}
		}
	}
	if s.Items != nil {
		walkProperties(s.Items.Value, parent+"/items", depth+1, seen, fn)
	}
	for name, ref := range s.Properties {
		if ref == nil || ref.Value == nil {
			continue
		}
		fn(parent, name, ref.Value)
		walkProperties(ref.Value, parent+"/"+escapePointer(name), depth+1, seen, fn)
	}
}

func escapePointer(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// shapeOf describes a schema by what a renamed field keeps: type, format and item type;
// enum values are compared separately.
func shapeOf(s *openapi3.Schema) string { return shapeAt(s, 0) }

// shapeAt is shapeOf at a nesting depth; a (recursive) schema nested deeper than 4 is "...".
func shapeAt(s *openapi3.Schema, depth int) string {
	if s == nil {
		return "?"
	}
	if depth > 4 {
		return "..."
	}
	var types []string
	if s.Type != nil {
		types = s.Type.Slice()
	}
	shape := strings.Join(types, ",") + ":" + s.Format
	if len(s.Properties) > 0 {
		shape += ":object"
	}
	if s.Items != nil {
		shape += "[" + shapeAt(s.Items.Value, depth+1) + "]"
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, ref := range group {
			if ref != nil {
				shape += "&" + shapeAt(ref.Value, depth+1)
			}
		}
	}
	return shape
}

// findRenames pairs removed and added members of the same shape in the same slot of each
// operation the two revisions share (moved operations included, after findMoves).
func findRenames(base, revision *openapi3.T) []Rename {
	type key struct{ kind, in, from, to string }
	found := map[key]*Rename{}
	if base.Paths == nil || revision.Paths == nil {
		return nil
	}
	for _, p := range base.Paths.InMatchingOrder() {
		oldItem := base.Paths.Value(p)
		newItem := revision.Paths.Find(p)
		if newItem == nil {
			continue
		}
		for m, oldOp := range oldItem.Operations() {
			newOp := newItem.GetOperation(m)
			if newOp == nil {
				continue
			}
			oldSlots, newSlots := slotsOf(oldItem, oldOp), slotsOf(newItem, newOp)
			for s, olds := range oldSlots {
				news := newSlots[s]
				for _, pair := range pairRenames(olds, news) {
					k := key{s.kind, s.in, pair[0], pair[1]}
					r := found[k]
					if r == nil {
						r = &Rename{Kind: s.kind, In: s.in, From: pair[0], To: pair[1]}
						found[k] = r
					}
					r.Places = append(r.Places, Place{OperationID: newOp.OperationID, Method: m, Path: p, Status: s.status, Parent: s.parent})
					removed, added := enumDelta(olds[pair[0]].schema, news[pair[1]].schema)
					r.EnumRemoved = union(r.EnumRemoved, removed)
					r.EnumAdded = union(r.EnumAdded, added)
				}
			}
		}
	}
	out := make([]Rename, 0, len(found))
	for _, r := range found {
		slices.SortFunc(r.Places, func(a, b Place) int {
			return cmp.Or(cmp.Compare(a.name(), b.name()), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Parent, b.Parent))
		})
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Rename) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.In, b.In), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

// pairRenames returns [old, new] name pairs: for each shape, exactly one name removed and
// exactly one added. A first pass also tells enums from free values; the names it leaves
// unpaired get a second pass by shape alone. Ambiguous shapes give no pair.
func pairRenames(olds, news map[string]member) [][2]string {
	var out [][2]string
	paired := map[string]bool{}
	for _, fine := range []bool{true, false} {
		removed, added := map[string][]string{}, map[string][]string{}
		key := func(m member) string {
			if fine && len(enumValues(m.schema)) > 0 {
				return m.shape + "|enum"
			}
			return m.shape
		}
		for name, m := range olds {
			if _, ok := news[name]; !ok && !paired["-"+name] {
				removed[key(m)] = append(removed[key(m)], name)
			}
		}
		for name, m := range news {
			if _, ok := olds[name]; !ok && !paired["+"+name] {
				added[key(m)] = append(added[key(m)], name)
			}
		}
		for shape, r := range removed {
			if a := added[shape]; len(r) == 1 && len(a) == 1 {
				out = append(out, [2]string{r[0], a[0]})
				paired["-"+r[0]], paired["+"+a[0]] = true, true
			}
		}
	}
	return out
}

// enumValues returns the enum values of s, or of its items for an array.
func enumValues(s *openapi3.Schema) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, v := range s.Enum {
		out = append(out, fmt.Sprint(v))
	}
	if len(out) == 0 && s.Items != nil && s.Items.Value != nil {
		for _, v := range s.Items.Value.Enum {
			out = append(out, fmt.Sprint(v))
		}
	}
	return out
}

// enumDelta returns the enum values of old missing from new, and those of new missing from old.
// A side without an enum has no vocabulary to compare: nothing is reported.
func enumDelta(old, new *openapi3.Schema) (removed, added []string) {
	o, n := enumValues(old), enumValues(new)
	if len(o) == 0 || len(n) == 0 {
		return nil, nil
	}
	for _, v := range o {
		if !slices.Contains(n, v) {
			removed = append(removed, v)
		}
	}
	for _, v := range n {
		if !slices.Contains(o, v) {
			added = append(added, v)
		}
	}
	return removed, added
}

func union(a, b []string) []string {
	for _, v := range b {
		if !slices.Contains(a, v) {
			a = append(a, v)
		}
	}
	return a
}

// moveChange turns a move into a finding: clients calling the old endpoint break.
func moveChange(m Move) Change {
	return Change{Breaking: true, Level: "error", ID: IDOperationMoved, Operation: m.To.Method, Path: m.To.Path,
		OperationID: m.OperationID, Text: fmt.Sprintf("operation %s moved: %s → %s", m.OperationID, m.From, m.To),
		Comment: "Clients calling the old endpoint break; the operation's other changes are listed as if it had stayed."}
}

// renameChanges turns a rename into findings: the rename itself, and the enum vocabularies
// across it. Values dropped from or added to a response enum break clients that map every
// value; a value dropped from a request enum breaks clients that send it.
func renameChanges(r Rename) []Change {
	id, noun := IDPropertyRenamed, "property"
	if r.Kind == "parameter" {
		id, noun = IDParameterRenamed, r.In+" parameter"
	} else {
		noun = r.In + " property"
	}
	ops := make([]string, 0, len(r.Places))
	for _, p := range r.Places {
		ops = union(ops, []string{p.name()})
	}
	text := fmt.Sprintf("likely renamed %s `%s` → `%s` (same shape, same place)", noun, r.From, r.To)
	if len(r.Places) == 1 {
		text = strings.TrimSuffix(text, ")") + placeText(r.Places[0]) + ")"
	} else {
		text += " in " + strings.Join(ops, ", ")
	}
	c := Change{Breaking: true, Level: "error", ID: id, Text: text}
	if len(ops) == 1 {
		c.OperationID, c.Operation, c.Path = r.Places[0].OperationID, r.Places[0].Method, r.Places[0].Path
	}
	out := []Change{c}
	if len(r.EnumRemoved) == 0 && len(r.EnumAdded) == 0 {
		return out
	}
	var parts []string
	if len(r.EnumRemoved) > 0 {
		parts = append(parts, "dropped "+quoteAll(r.EnumRemoved))
	}
	if len(r.EnumAdded) > 0 {
		parts = append(parts, "added "+quoteAll(r.EnumAdded))
	}
	e := Change{ID: IDEnumChangedAcrossRename, OperationID: c.OperationID, Operation: c.Operation, Path: c.Path, Level: "info",
		Text: fmt.Sprintf("across the rename `%s` → `%s`, the %s enum %s", r.From, r.To, noun, strings.Join(parts, " and "))}
	switch {
	case r.In == "response":
		e.Breaking, e.Level = true, "error"
		e.Comment = "Clients that map every value of this enum break on a value they do not know, and never see a dropped one."
	case len(r.EnumRemoved) > 0:
		e.Breaking, e.Level = true, "error"
		e.Comment = "Clients that send a dropped value are refused."
	}
	return append(out, e)
}

func placeText(p Place) string {
	var s string
	if p.Status != "" {
		s += ", status " + p.Status
	}
	if p.Parent != "" {
		s += ", in " + p.Parent
	}
	return s
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

var backticked = regexp.MustCompile("`([^`]*)`")

// foldedInto reports whether an oasdiff change restates half of a rename: the removal of its
// old name or the addition of its new one, in one of its operations.
func foldedInto(c Change, r Rename) bool {
	if !slices.ContainsFunc(r.Places, func(p Place) bool {
		return p.Method == c.Operation && p.Path == c.Path || c.OperationID != "" && p.OperationID == c.OperationID
	}) {
		return false
	}
	if !strings.Contains(c.ID, r.Kind) && !(r.Kind == "parameter" && strings.Contains(c.ID, "param")) {
		return false
	}
	var name string
	switch {
	case strings.Contains(c.ID, "removed") || strings.Contains(c.ID, "deleted"):
		name = r.From
	case strings.Contains(c.ID, "added") || strings.HasPrefix(c.ID, "new-"):
		name = r.To
	default:
		return false
	}
	for _, m := range backticked.FindAllStringSubmatch(c.Text, -1) {
		segs := strings.Split(m[1], "/")
		if segs[len(segs)-1] == name {
			return true
		}
	}
	return false
}

// falseVersionLine reports oasdiff's "version decreased" line when the version in fact
// increased by semver precedence (oasdiff ignores pre-release parts: 1.0.0-alpha.1 →
// 1.0.0-alpha.2 or → 1.0.0 is an increase, not a decrease).
func falseVersionLine(c Change, baseVersion, revisionVersion string) bool {
	if c.ID != "api-version-decreased" {
		return false
	}
	b, r := "v"+strings.TrimPrefix(baseVersion, "v"), "v"+strings.TrimPrefix(revisionVersion, "v")
	return semver.IsValid(b) && semver.IsValid(r) && semver.Compare(r, b) > 0
}
