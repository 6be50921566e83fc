package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/curlargs"
)

// outputFile is -o FILE, opened the way curl opens it: at the first body
// byte, so a transfer that fails leaves no file behind and an old file
// with that name untouched. A transfer that succeeds with an empty body
// leaves an empty file.
type outputFile struct {
	name string
	f    *os.File
}

// openOutput checks that name can be written, so that a typo in the path
// is a bad input before any request is sent, without creating or
// truncating anything yet.
func openOutput(name string) (*outputFile, error) {
	_, statErr := os.Stat(name)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil { // curl's exit 23, "Failure writing output to destination"
		return nil, &trace.Error{Phase: trace.PhaseInput, Kind: trace.KindWrite, Err: err,
			Message: fmt.Sprintf("cannot write -o %s: %v", name, curlargs.UnwrapPathErr(err)),
			Hint:    "check that the -o file's folder exists and is writable"}
	}
	f.Close()
	if errors.Is(statErr, fs.ErrNotExist) {
		os.Remove(name) // only probed: it is created when the body comes
	}
	return &outputFile{name: name}, nil
}

func (o *outputFile) Write(p []byte) (int, error) {
	if o.f == nil {
		f, err := os.Create(o.name)
		if err != nil {
			return 0, err
		}
		o.f = f
	}
	return o.f.Write(p)
}

// finish closes the file; ok says the transfer succeeded, and then an
// empty body still leaves its (empty) file.
func (o *outputFile) finish(ok bool) error {
	if o.f == nil {
		if !ok {
			return nil
		}
		f, err := os.Create(o.name)
		if err != nil {
			return err
		}
		o.f = f
	}
	return o.f.Close()
}
