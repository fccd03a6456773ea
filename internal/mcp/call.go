package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/privy-go/privy-go/gen"
)

// request builds the HTTP request of a call from its arguments: path parameters into the path,
// query and header parameters where the spec puts them, the rest as the JSON body. Arguments
// the operation does not have are refused here, each named in a detail; their values are
// checked by the transport's pre-flight validation against the spec.
func (o *Operation) request(base string, raw json.RawMessage) (*http.Request, []gen.ErrorDetail) {
	args := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, []gen.ErrorDetail{{Field: "base", Message: "the arguments must be a JSON object"}}
		}
	}
	var details []gen.ErrorDetail
	path, query, header := o.Path, url.Values{}, http.Header{}
	body := map[string]json.RawMessage{}
	for _, name := range slices.Sorted(maps.Keys(args)) {
		v := args[name]
		p, isParam := o.params[name]
		switch {
		case isParam:
			values, ok := scalars(v)
			if !ok {
				details = append(details, gen.ErrorDetail{Field: name, Message: "must be a string, number, boolean or an array of them"})
				continue
			}
			switch p.In {
			case openapi3.ParameterInPath:
				if len(values) != 1 {
					details = append(details, gen.ErrorDetail{Field: name, Message: "must be one value"})
					continue
				}
				path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(values[0]))
			case openapi3.ParameterInQuery:
				query[name] = values
			case openapi3.ParameterInHeader:
				header[http.CanonicalHeaderKey(name)] = values
			}
		case o.flat && o.bodyProps[name]:
			body[name] = v
		case !o.flat && o.body && name == bodyArgument:
		default:
			details = append(details, gen.ErrorDetail{Field: name, Message: "is not an argument of " + o.Tool.Name})
		}
	}
	for name, p := range o.params {
		if p.In == openapi3.ParameterInPath && strings.Contains(path, "{"+name+"}") && args[name] == nil {
			details = append(details, gen.ErrorDetail{Field: name, Message: "is required"})
		}
	}
	if len(details) > 0 {
		return nil, details
	}
	var payload []byte
	switch {
	case !o.body:
	case o.flat:
		payload, _ = json.Marshal(body) // raw messages from a parsed object always marshal
	case args[bodyArgument] != nil:
		payload = args[bodyArgument]
	}
	u := strings.TrimRight(base, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequest(o.Method, u, bytes.NewReader(payload))
	if err != nil {
		return nil, []gen.ErrorDetail{{Field: "base", Message: err.Error()}}
	}
	if payload == nil {
		req.Body = http.NoBody
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	maps.Copy(req.Header, header)
	return req, nil
}

// scalars reads an argument's value as the text form of a parameter: one scalar, or an array
// of scalars (sent as repeated values). null is no value.
func scalars(v json.RawMessage) ([]string, bool) {
	var x any
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return nil, false
	}
	list, isList := x.([]any)
	if !isList {
		list = []any{x}
	}
	var out []string
	for _, e := range list {
		switch e := e.(type) {
		case nil:
		case string:
			out = append(out, e)
		case json.Number:
			out = append(out, e.String())
		case bool:
			out = append(out, fmt.Sprint(e))
		default:
			return nil, false
		}
	}
	return out, true
}
