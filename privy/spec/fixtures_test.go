package spec_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/internal/specdoc"
	"github.com/privy-go/privy-go/internal/specmodel"
	"github.com/privy-go/privy-go/privy/spec"
)

// fixturesDir is testdata/fixtures, seen from this package.
const fixturesDir = "../../testdata/fixtures"

// fixtureWant is the one violation a negative fixture must cause. Empty fields are not
// checked; message is matched as a substring.
type fixtureWant struct {
	in, pointer, rule, field, message string
}

func (w fixtureWant) matches(v spec.Violation) bool {
	return (w.in == "" || v.In == w.in) &&
		(w.pointer == "" || v.Pointer == w.pointer) &&
		(w.rule == "" || v.Rule == w.rule) &&
		(w.field == "" || v.Field == w.field) &&
		(w.message == "" || strings.Contains(v.Message, w.message))
}

// Documented validation messages (API.md, "Validation messages"), read from the spec's
// x-privy-error.
var (
	model         = specmodel.MustLoad()
	msgIdentifier = model.Rule(specmodel.OpCreate, "anyOf")
	msgExactlyOne = model.Rule(specmodel.OpUpdate, "oneOf")
	msgNoChange   = model.Rule(specmodel.OpUpdate, "minProperties")
	msgE164       = specmodel.MustFind(model.Create, "phone_number").Message
	msgConsent    = specmodel.MustFind(model.Create, "email_consent").Message
	msgFlat       = specmodel.MustFind(model.Create, "custom_fields").Message
	msgEmail      = specmodel.MustFind(model.Create, "email").Message
	msgReason     = specmodel.MustFind(model.Unsubscribe, "reason").Message
)

// TestDocumentedMessages guards the messages above: an empty one would match any violation.
func TestDocumentedMessages(t *testing.T) {
	for i, msg := range []string{msgIdentifier, msgExactlyOne, msgNoChange, msgE164, msgConsent, msgFlat, msgEmail, msgReason} {
		if msg == "" {
			t.Errorf("documented message %d is missing from the spec: %+v", i, model.Rules)
		}
	}
}

// Messages of the validator's own.
const (
	msgUnknown        = "is not a known field"
	msgRequired       = "is required"
	msgNotJSON        = "not valid JSON"
	msgNoAnyOfMatches = `doesn't match any schema from "anyOf"`
	msgUnknownParam   = "is not a known parameter"
	msgNotAnArray     = "value must be an array"
	msgNotAnObject    = "value must be an object"
	msgNotAString     = "value must be a string"
	msgNoOneOfMatches = `doesn't match any schema from "oneOf"`
)

// negativeFixtures maps every negative fixture (relative to testdata/fixtures) to the single
// violation it must cause: the reason the fixture exists. A negative fixture missing here,
// or an entry without a file, fails TestFixtures.
var negativeFixtures = map[string]fixtureWant{
	// listContacts: query parameters.
	"listContacts/request/invalid/page_0.json":                                    {in: "query", pointer: "/page", rule: "minimum", field: "page"},
	"listContacts/request/invalid/page_not_integer.json":                          {in: "query", pointer: "/page", rule: "parse", field: "page", message: "invalid integer"},
	"listContacts/request/invalid/per_page_0.json":                                {in: "query", pointer: "/per_page", rule: "minimum", field: "per_page"},
	"listContacts/request/invalid/per_page_500.json":                              {in: "query", pointer: "/per_page", rule: "maximum", field: "per_page"},
	"listContacts/request/invalid/email_permission_not_in_enum.json":              {in: "query", pointer: "/email_permission", rule: "enum", field: "email_permission", message: msgConsent},
	"listContacts/request/invalid/phone_number_not_e164.json":                     {in: "query", pointer: "/phone_number", rule: "pattern", field: "phone_number", message: msgE164},
	"listContacts/request/invalid/email_not_an_address.json":                      {in: "query", pointer: "/email", rule: "pattern", field: "email", message: msgEmail},
	"listContacts/request/invalid/email_without_dot_in_domain.json":               {in: "query", pointer: "/email", rule: "pattern", field: "email", message: msgEmail},
	"listContacts/request/invalid/undeclared_parameter.json":                      {in: "query", pointer: "/email_consent", rule: "additionalProperties", field: "email_consent", message: msgUnknownParam},
	"listContacts/request/invalid/not_json.json":                                  {pointer: "", rule: "json", field: "base", message: msgNotJSON},
	"listContacts/request/invalid/query_not_an_object.json":                       {in: "query", pointer: "", rule: "type", message: "must be a JSON object"},
	"listContacts/request/invalid/parameter_is_an_object.json":                    {in: "query", pointer: "", rule: "type", message: `parameter "page" must be a scalar`},
	"listContacts/response/200/invalid/pagination_missing_total_pages.json":       {pointer: "/pagination/total_pages", rule: "required", message: msgRequired},
	"listContacts/response/200/invalid/pagination_per_page_500.json":              {pointer: "/pagination/per_page", rule: "maximum"},
	"listContacts/response/200/invalid/data_not_an_array.json":                    {pointer: "/data", rule: "type", message: msgNotAnArray},
	"listContacts/response/200/invalid/contact_email_permission_not_in_enum.json": {pointer: "/data/0/email_permission", rule: "enum", message: msgConsent},
	"listContacts/response/200/invalid/contact_missing_tags.json":                 {pointer: "/data/0/tags", rule: "required", message: msgRequired},
	"listContacts/response/200/invalid/contact_created_at_not_date_time.json":     {pointer: "/data/0/created_at", rule: "format", message: "date-time"},
	"listContacts/response/200/invalid/not_json.json":                             {in: "body", pointer: "", rule: "json", message: msgNotJSON},
	// One per error code: unauthorized, insufficient_scope, validation_failed, rate_limited.
	"listContacts/response/401/invalid/unauthorized_code_not_a_string.json":         {pointer: "/error/code", rule: "anyOf", message: msgNoAnyOfMatches},
	"listContacts/response/403/invalid/insufficient_scope_missing_message.json":     {pointer: "/error/message", rule: "required", message: msgRequired},
	"listContacts/response/422/invalid/validation_failed_details_not_an_array.json": {pointer: "/error/details", rule: "type", message: msgNotAnArray},
	"listContacts/response/429/invalid/rate_limited_details_is_a_string.json":       {pointer: "/error/details", rule: "type", message: msgNotAnArray},

	// createContact.
	"createContact/request/invalid/missing_identifier.json":                {in: "body", pointer: "", rule: "anyOf", field: "base", message: msgIdentifier},
	"createContact/request/invalid/empty_object.json":                      {in: "body", pointer: "", rule: "anyOf", field: "base", message: msgIdentifier},
	"createContact/request/invalid/phone_number_not_e164.json":             {in: "body", pointer: "/phone_number", rule: "pattern", field: "phone_number", message: msgE164},
	"createContact/request/invalid/email_not_an_address.json":              {in: "body", pointer: "/email", rule: "pattern", field: "email", message: msgEmail},
	"createContact/request/invalid/email_without_dot_in_domain.json":       {in: "body", pointer: "/email", rule: "pattern", field: "email", message: msgEmail},
	"createContact/request/invalid/email_consent_not_in_enum.json":         {in: "body", pointer: "/email_consent", rule: "enum", field: "email_consent", message: msgConsent},
	"createContact/request/invalid/sms_consent_not_in_enum.json":           {in: "body", pointer: "/sms_consent", rule: "enum", field: "sms_consent", message: msgConsent},
	"createContact/request/invalid/custom_fields_nested_object.json":       {in: "body", pointer: "/custom_fields/address", rule: "anyOf", field: "custom_fields", message: msgFlat},
	"createContact/request/invalid/custom_fields_array_value.json":         {in: "body", pointer: "/custom_fields/colors", rule: "anyOf", field: "custom_fields", message: msgFlat},
	"createContact/request/invalid/custom_fields_not_an_object.json":       {in: "body", pointer: "/custom_fields", rule: "type", field: "custom_fields", message: msgFlat},
	"createContact/request/invalid/tags_not_an_array.json":                 {in: "body", pointer: "/tags", rule: "type", field: "tags", message: msgNotAnArray},
	"createContact/request/invalid/unknown_field.json":                     {in: "body", pointer: "/id", rule: "additionalProperties", field: "id", message: msgUnknown},
	"createContact/request/invalid/not_json.json":                          {in: "body", pointer: "", rule: "json", field: "base", message: msgNotJSON},
	"createContact/request/invalid/body_not_an_object.json":                {in: "body", pointer: "", rule: "type", field: "base", message: msgNotAnObject},
	"createContact/response/201/invalid/contact_custom_fields_nested.json": {pointer: "/data/custom_fields/address", rule: "anyOf", message: msgFlat},
	"createContact/response/201/invalid/contact_not_wrapped_in_data.json":  {pointer: "/data", rule: "required", message: msgRequired},
	"createContact/response/201/invalid/contact_phone_not_e164.json":       {pointer: "/data/phone_number", rule: "pattern"},
	"createContact/response/201/invalid/contact_email_malformed.json":      {pointer: "/data/email", rule: "pattern"},
	"createContact/response/201/invalid/contact_email_localhost.json":      {pointer: "/data/email", rule: "pattern", message: msgEmail},
	// One per error code: conflict, validation_failed.
	"createContact/response/409/invalid/conflict_not_in_envelope.json":                 {pointer: "/error", rule: "required", message: msgRequired},
	"createContact/response/422/invalid/validation_failed_detail_missing_field.json":   {pointer: "/error/details/0/field", rule: "required", message: msgRequired},
	"createContact/response/422/invalid/validation_failed_detail_missing_message.json": {pointer: "/error/details/0/message", rule: "required", message: msgRequired},

	// updateContact.
	"updateContact/request/invalid/both_identifiers.json":                       {in: "body", pointer: "", rule: "oneOf", field: "base", message: msgExactlyOne},
	"updateContact/request/invalid/no_identifier.json":                          {in: "body", pointer: "", rule: "oneOf", field: "base", message: msgExactlyOne},
	"updateContact/request/invalid/no_mutable_field.json":                       {in: "body", pointer: "", rule: "minProperties", field: "base", message: msgNoChange},
	"updateContact/request/invalid/phone_number_not_e164.json":                  {in: "body", pointer: "/phone_number", rule: "pattern", field: "phone_number", message: msgE164},
	"updateContact/request/invalid/custom_fields_nested_object.json":            {in: "body", pointer: "/custom_fields/address", rule: "anyOf", field: "custom_fields", message: msgFlat},
	"updateContact/request/invalid/email_consent_not_updatable.json":            {in: "body", pointer: "/email_consent", rule: "additionalProperties", field: "email_consent", message: msgUnknown},
	"updateContact/request/invalid/not_json.json":                               {in: "body", pointer: "", rule: "json", field: "base", message: msgNotJSON},
	"updateContact/response/200/invalid/contact_phone_number_not_a_string.json": {pointer: "/data/phone_number", rule: "type", message: msgNotAString},
	// One per error code: not_found.
	"updateContact/response/404/invalid/not_found_error_is_a_string.json": {pointer: "/error", rule: "type", message: msgNotAnObject},

	// unsubscribeContact.
	"unsubscribeContact/request/invalid/both_identifiers.json":                          {in: "body", pointer: "", rule: "oneOf", field: "base", message: msgExactlyOne},
	"unsubscribeContact/request/invalid/no_identifier.json":                             {in: "body", pointer: "", rule: "oneOf", field: "base", message: msgExactlyOne},
	"unsubscribeContact/request/invalid/reason_501_chars.json":                          {in: "body", pointer: "/reason", rule: "maxLength", field: "reason", message: msgReason},
	"unsubscribeContact/request/invalid/phone_number_not_e164.json":                     {in: "body", pointer: "/phone_number", rule: "pattern", field: "phone_number", message: msgE164},
	"unsubscribeContact/request/invalid/unknown_field.json":                             {in: "body", pointer: "/resubscribe", rule: "additionalProperties", field: "resubscribe", message: msgUnknown},
	"unsubscribeContact/response/200/invalid/contact_email_permission_not_in_enum.json": {pointer: "/data/email_permission", rule: "enum", message: msgConsent},
	"unsubscribeContact/response/404/invalid/not_found_missing_code.json":               {pointer: "/error/code", rule: "required", message: msgRequired},

	// deleteContact.
	"deleteContact/request/invalid/both_identifiers.json":                      {in: "body", pointer: "", rule: "oneOf", field: "base", message: msgExactlyOne},
	"deleteContact/request/invalid/no_identifier.json":                         {in: "body", pointer: "", rule: "oneOf", field: "base", message: msgExactlyOne},
	"deleteContact/request/invalid/unknown_field.json":                         {in: "body", pointer: "/id", rule: "additionalProperties", field: "id", message: msgUnknown},
	"deleteContact/request/invalid/email_not_an_address.json":                  {in: "body", pointer: "/email", rule: "pattern", field: "email", message: msgEmail},
	"deleteContact/request/invalid/email_empty_domain_label.json":              {in: "body", pointer: "/email", rule: "pattern", field: "email", message: msgEmail},
	"deleteContact/response/200/invalid/contact_missing_email_permission.json": {pointer: "/data/email_permission", rule: "required", message: msgRequired},
	"deleteContact/response/404/invalid/not_found_message_not_a_string.json":   {pointer: "/error/message", rule: "type", message: msgNotAString},

	// exchangeToken: form fields.
	"exchangeToken/request/invalid/missing_grant_type.json":                {in: "body", pointer: "/grant_type", rule: "required", field: "grant_type", message: msgRequired},
	"exchangeToken/request/invalid/grant_type_not_client_credentials.json": {in: "body", pointer: "/grant_type", rule: "enum", field: "grant_type"},
	"exchangeToken/request/invalid/not_json.json":                          {in: "body", pointer: "", rule: "json", field: "base", message: msgNotJSON},
	"exchangeToken/response/200/invalid/token_missing_access_token.json":   {pointer: "/access_token", rule: "required", message: msgRequired},
	"exchangeToken/response/200/invalid/token_expires_in_a_string.json":    {pointer: "/expires_in", rule: "type", message: "must be an integer"},
	"exchangeToken/response/401/invalid/error_missing.json":                {pointer: "/error", rule: "required", message: msgRequired},
	// One per error code: invalid_client, invalid_scope. The message says why each branch
	// of TokenError's oneOf (ErrorBody object or OAuth string) failed.
	"exchangeToken/response/401/invalid/invalid_client_missing_message.json":  {pointer: "/error", rule: "oneOf", message: msgNoOneOfMatches + " (/error/message is required; or /error value must be a string)"},
	"exchangeToken/response/401/invalid/invalid_scope_code_not_a_string.json": {pointer: "/error", rule: "oneOf", message: "/error/code " + msgNoAnyOfMatches},
	"exchangeToken/response/400/invalid/error_missing.json":                   {pointer: "/error", rule: "required", message: msgRequired},
}

// errorCodeNegatives names, for each documented error code, the negative fixture whose
// response of that code breaks the contract.
var errorCodeNegatives = map[string]string{
	"invalid_client":     "exchangeToken/response/401/invalid/invalid_client_missing_message.json",
	"invalid_scope":      "exchangeToken/response/401/invalid/invalid_scope_code_not_a_string.json",
	"unauthorized":       "listContacts/response/401/invalid/unauthorized_code_not_a_string.json",
	"insufficient_scope": "listContacts/response/403/invalid/insufficient_scope_missing_message.json",
	"not_found":          "updateContact/response/404/invalid/not_found_error_is_a_string.json",
	"conflict":           "createContact/response/409/invalid/conflict_not_in_envelope.json",
	"validation_failed":  "createContact/response/422/invalid/validation_failed_detail_missing_field.json",
	"rate_limited":       "listContacts/response/429/invalid/rate_limited_details_is_a_string.json",
}

// relFixture returns a fixture's path relative to fixturesDir, with forward slashes.
func relFixture(t *testing.T, file string) string {
	t.Helper()
	rel, err := filepath.Rel(fixturesDir, file)
	if err != nil {
		t.Fatalf("%s is not below %s: %v", file, fixturesDir, err)
	}
	return filepath.ToSlash(rel)
}

func TestFixtures(t *testing.T) {
	results := spec.ValidateFixtures(context.Background(), fixturesDir)
	seen := map[string]bool{}
	var positives, negatives int
	for _, r := range results {
		rel := relFixture(t, r.File)
		seen[rel] = true
		for _, v := range r.Violations {
			if v.File != r.File {
				t.Errorf("%s: violation names file %q", rel, v.File)
			}
			if v.Rule == "" || v.Message == "" {
				t.Errorf("%s: violation without rule or message: %+v", rel, v)
			}
		}
		if !r.Invalid {
			positives++
			for _, v := range r.Violations {
				t.Errorf("positive fixture %s: %s", rel, v)
			}
			if !r.OK() {
				t.Errorf("positive fixture %s: OK() = false", rel)
			}
			continue
		}
		negatives++
		want, ok := negativeFixtures[rel]
		if !ok {
			t.Errorf("negative fixture %s has no entry in negativeFixtures; add the violation it must cause (got %v)", rel, r.Violations)
			continue
		}
		if !r.OK() {
			t.Errorf("negative fixture %s: OK() = false: %v", rel, r.Violations)
		}
		op := strings.SplitN(rel, "/", 2)[0]
		if r.Operation != op {
			t.Errorf("%s: Operation = %q, want %q", rel, r.Operation, op)
		}
		if len(r.Violations) != 1 || !want.matches(r.Violations[0]) {
			t.Errorf("negative fixture %s must fail only with %+v; got:", rel, want)
			for _, v := range r.Violations {
				t.Errorf("    in=%q pointer=%q rule=%q field=%q message=%q", v.In, v.Pointer, v.Rule, v.Field, v.Message)
			}
		}
	}
	for rel := range negativeFixtures {
		if !seen[rel] {
			t.Errorf("negativeFixtures lists %s, but there is no such fixture", rel)
		}
	}
	if positives == 0 || negatives == 0 {
		t.Fatalf("found %d positive and %d negative fixtures in %s; want some of each", positives, negatives, fixturesDir)
	}
	t.Logf("%d positive and %d negative fixtures", positives, negatives)
}

// fixtureIndex lists fixture paths relative to fixturesDir.
func fixtureIndex(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(fixturesDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			out = append(out, relFixture(t, path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hasFixture(index []string, prefix string) bool {
	return slices.ContainsFunc(index, func(p string) bool { return strings.HasPrefix(p, prefix) })
}

// TestFixtureCoverage checks that the fixtures cover the contract: every operation's
// requests both ways, every declared response status, and every documented error code.
func TestFixtureCoverage(t *testing.T) {
	doc, err := specdoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	index := fixtureIndex(t)
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			id := op.OperationID
			for _, dir := range []string{"request/valid/", "request/invalid/"} {
				if !hasFixture(index, id+"/"+dir) {
					t.Errorf("%s %s (%s) has no fixture under %s/%s", method, path, id, id, dir)
				}
			}
			for status := range op.Responses.Map() {
				if !hasFixture(index, id+"/response/"+status+"/valid/") {
					t.Errorf("%s has no positive fixture for its response %s", id, status)
				}
			}
		}
	}

	codes := errorCodes(t, doc)
	for _, code := range codes {
		neg, ok := errorCodeNegatives[code]
		if !ok {
			t.Errorf("error code %q has no negative fixture in errorCodeNegatives", code)
			continue
		}
		if _, ok := negativeFixtures[neg]; !ok {
			t.Errorf("error code %q: %s is not in negativeFixtures", code, neg)
		}
		if !positiveWithCode(t, index, code) {
			t.Errorf("error code %q appears in no positive fixture", code)
		}
	}
	if len(errorCodeNegatives) != len(codes) {
		t.Errorf("errorCodeNegatives has %d codes, the spec's ErrorCode enum %d", len(errorCodeNegatives), len(codes))
	}
}

func errorCodes(t *testing.T, doc *openapi3.T) []string {
	t.Helper()
	ref := doc.Components.Schemas["ErrorCode"]
	if ref == nil || ref.Value == nil || len(ref.Value.Enum) == 0 {
		t.Fatal("the spec has no ErrorCode enum")
	}
	var out []string
	for _, v := range ref.Value.Enum {
		out = append(out, v.(string))
	}
	return out
}

// positiveWithCode reports whether a positive response fixture carries the error code,
// in the API envelope or the OAuth 2.0 form.
func positiveWithCode(t *testing.T, index []string, code string) bool {
	t.Helper()
	for _, rel := range index {
		if !strings.Contains(rel, "/response/") || !strings.Contains(rel, "/valid/") {
			continue
		}
		var body struct {
			Error json.RawMessage `json:"error"`
		}
		data, err := os.ReadFile(filepath.Join(fixturesDir, rel))
		if err != nil || json.Unmarshal(data, &body) != nil || body.Error == nil {
			continue
		}
		var env struct {
			Code string `json:"code"`
		}
		var oauth string
		if (json.Unmarshal(body.Error, &env) == nil && env.Code == code) ||
			(json.Unmarshal(body.Error, &oauth) == nil && oauth == code) {
			return true
		}
	}
	return false
}
