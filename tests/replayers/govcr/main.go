// Replays requests through go-vcr v1 (Debian's golang-github-dnaeon-go-vcr-dev) in
// strict replay mode (ModeReplaying, no repeats, no real transport) and prints what
// each request was served. Built in GOPATH mode, offline.
//
//	govcr PLAN.json
//
// PLAN and output as in vcr_replay.rb; every file is replayed concurrently, since
// go-vcr sleeps for each interaction's recorded duration.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/dnaeon/go-vcr/cassette"
	"github.com/dnaeon/go-vcr/recorder"
)

type request struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
	Body    []byte      `json:"body"` // base64 in JSON, as every []byte here
}

type file struct {
	Path      string    `json:"path"`
	IgnoreKey bool      `json:"ignore_key"`
	Requests  []request `json:"requests"`
}

type served struct {
	Status *int    `json:"status,omitempty"`
	Body   *[]byte `json:"body,omitempty"`
	Error  string  `json:"error,omitempty"`
}

type result struct {
	Path      string   `json:"path"`
	Responses []served `json:"responses"`
}

// noNetwork is the real transport: a request that reaches it is a failure.
type noNetwork struct{}

func (noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, errors.New("real network used for " + r.URL.String())
}

// withoutKey is a URL without its `key` query parameter (what scrub's advice asks).
func withoutKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Del("key")
	u.RawQuery = q.Encode()
	return u.String()
}

func replay(f file) result {
	out := result{Path: f.Path, Responses: []served{}}
	fail := func(err error) result {
		out.Responses = append(out.Responses, served{Error: err.Error()})
		return out
	}
	// ModeReplaying records when the cassette is missing: make sure it is there.
	if _, err := os.Stat(f.Path); err != nil || !strings.HasSuffix(f.Path, ".yaml") {
		return fail(fmt.Errorf("not a .yaml cassette: %s", f.Path))
	}
	rec, err := recorder.NewAsMode(strings.TrimSuffix(f.Path, ".yaml"), recorder.ModeReplaying, noNetwork{})
	if err != nil {
		return fail(err)
	}
	defer rec.Stop()
	if f.IgnoreKey {
		rec.SetMatcher(func(r *http.Request, i cassette.Request) bool {
			return r.Method == i.Method && withoutKey(r.URL.String()) == withoutKey(i.URL)
		})
	}
	client := &http.Client{
		Transport:     rec,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for _, r := range f.Requests {
		req, err := http.NewRequest(r.Method, r.URL, bytes.NewReader(r.Body))
		if err != nil {
			out.Responses = append(out.Responses, served{Error: err.Error()})
			continue
		}
		for _, h := range r.Headers {
			req.Header.Add(h[0], h[1])
		}
		resp, err := client.Do(req)
		if err != nil {
			out.Responses = append(out.Responses, served{Error: err.Error()})
			continue
		}
		body, err := ioutil.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			out.Responses = append(out.Responses, served{Error: err.Error()})
			continue
		}
		status := resp.StatusCode
		out.Responses = append(out.Responses, served{Status: &status, Body: &body})
	}
	return out
}

func main() {
	raw, err := ioutil.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var plan struct {
		Files []file `json:"files"`
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		panic(err)
	}
	results := make([]result, len(plan.Files))
	var wg sync.WaitGroup
	for n, f := range plan.Files {
		wg.Add(1)
		go func(n int, f file) {
			defer wg.Done()
			results[n] = replay(f)
		}(n, f)
	}
	wg.Wait()
	if err := json.NewEncoder(os.Stdout).Encode(map[string][]result{"files": results}); err != nil {
		panic(err)
	}
}
