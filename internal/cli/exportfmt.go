package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"

	"github.com/privy-go/privy-go/gen"
)

// Export formats of --format.
const (
	formatNDJSON = "ndjson"
	formatCSV    = "csv"
	formatJSON   = "json"
)

// csvHeaderSample is how many contacts the CSV writer holds back to choose its custom.<key>
// columns: one page of an export.
const csvHeaderSample = 100

// contactSink receives contacts one at a time and writes them in some format, holding at most
// a bounded number of them in memory.
type contactSink interface {
	Write(c gen.Contact) error
	// Close writes what is still buffered and the format's trailer; it does not close the
	// underlying writer.
	Close() error
}

// newSink returns the writer of an export format.
func newSink(format string, w io.Writer) (contactSink, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case formatNDJSON:
		return &ndjsonSink{bw: bw, enc: json.NewEncoder(bw)}, nil
	case formatJSON:
		return &jsonArraySink{bw: bw}, nil
	case formatCSV:
		return &csvSink{bw: bw, w: csv.NewWriter(bw)}, nil
	}
	return nil, usageErrorf("--format %q: want ndjson, csv or json", format)
}

// ndjsonSink writes one JSON object per line.
type ndjsonSink struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

func (s *ndjsonSink) Write(c gen.Contact) error { return s.enc.Encode(c) }
func (s *ndjsonSink) Close() error              { return s.bw.Flush() }

// jsonArraySink streams a JSON array, one contact per line.
type jsonArraySink struct {
	bw *bufio.Writer
	n  int
}

func (s *jsonArraySink) Write(c gen.Contact) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	sep := ",\n"
	if s.n == 0 {
		sep = "[\n"
	}
	s.n++
	s.bw.WriteString(sep)
	_, err = s.bw.Write(b)
	return err
}

func (s *jsonArraySink) Close() error {
	if s.n == 0 {
		s.bw.WriteString("[")
	}
	s.bw.WriteString("\n]\n")
	return s.bw.Flush()
}

// csvSink writes the import columns. Custom fields get a custom.<key> column for each key
// seen among the first csvHeaderSample contacts (which it holds back to decide); keys first
// met later go, as a JSON object, into the trailing custom_fields column, which import
// reads back. Memory stays bounded whatever the count.
type csvSink struct {
	bw      *bufio.Writer
	w       *csv.Writer
	pending []gen.Contact
	keys    []string
	started bool
}

func (s *csvSink) Write(c gen.Contact) error {
	if !s.started {
		s.pending = append(s.pending, c)
		if len(s.pending) < csvHeaderSample {
			return nil
		}
		return s.start()
	}
	return s.w.Write(contactCSVRecord(c, s.keys))
}

func (s *csvSink) start() error {
	s.started = true
	s.keys = customKeysOf(s.pending)
	if err := s.w.Write(csvHeader(s.keys)); err != nil {
		return err
	}
	for _, c := range s.pending {
		if err := s.w.Write(contactCSVRecord(c, s.keys)); err != nil {
			return err
		}
	}
	s.pending = nil
	return nil
}

func (s *csvSink) Close() error {
	if !s.started {
		if err := s.start(); err != nil {
			return err
		}
	}
	s.w.Flush()
	if err := s.w.Error(); err != nil {
		return err
	}
	return s.bw.Flush()
}
