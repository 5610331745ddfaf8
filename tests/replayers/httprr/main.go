// Reads httprr traces as httprr does: after the line "httprr trace v1", each exchange
// is a line "<request bytes> <response bytes>" and exactly that many bytes of raw
// request and raw response, read with http.ReadRequest and http.ReadResponse.
//
//	httprr FILE...
//
// Prints {"files": [{"path", "exchanges": [{method, url, api_key, body, status,
// response}], "error"}]}, bodies base64, the response body de-chunked.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"os"
	"strconv"
	"strings"
)

type exchange struct {
	Method   string `json:"method"`
	URL      string `json:"url"`
	APIKey   string `json:"api_key"` // the X-Api-Key header, where a key is planted
	Body     []byte `json:"body"`
	Status   int    `json:"status"`
	Response []byte `json:"response"`
}

type trace struct {
	Path      string     `json:"path"`
	Exchanges []exchange `json:"exchanges"`
	Error     string     `json:"error,omitempty"`
}

// exact reads all of r and fails unless it is all of data: the byte counts must
// delimit the request and the response exactly.
func exact(b *bufio.Reader, what string) error {
	if rest, _ := ioutil.ReadAll(b); len(rest) != 0 {
		return fmt.Errorf("%d bytes after the %s", len(rest), what)
	}
	return nil
}

func read(path string) trace {
	out := trace{Path: path, Exchanges: []exchange{}}
	data, err := ioutil.ReadFile(path)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	const header = "httprr trace v1\n"
	if !bytes.HasPrefix(data, []byte(header)) {
		out.Error = "no httprr header"
		return out
	}
	data = data[len(header):]
	for len(data) > 0 {
		line, rest, ok := bytes.Cut(data, []byte("\n"))
		var n1, n2 int
		var err1, err2 error
		if f := strings.Fields(string(line)); ok && len(f) == 2 {
			n1, err1 = strconv.Atoi(f[0])
			n2, err2 = strconv.Atoi(f[1])
		} else {
			err1 = fmt.Errorf("bad length line %q", line)
		}
		if err1 != nil || err2 != nil || n1 < 0 || n2 < 0 || n1+n2 > len(rest) {
			out.Error = fmt.Sprintf("exchange %d: bad length line %q", len(out.Exchanges), line)
			return out
		}
		reqBytes, respBytes := rest[:n1], rest[n1:n1+n2]
		data = rest[n1+n2:]
		e, err := parse(reqBytes, respBytes)
		if err != nil {
			out.Error = fmt.Sprintf("exchange %d: %v", len(out.Exchanges), err)
			return out
		}
		out.Exchanges = append(out.Exchanges, e)
	}
	return out
}

func parse(reqBytes, respBytes []byte) (exchange, error) {
	var e exchange
	rb := bufio.NewReader(bytes.NewReader(reqBytes))
	req, err := http.ReadRequest(rb)
	if err != nil {
		return e, fmt.Errorf("request: %v", err)
	}
	if e.Body, err = io.ReadAll(req.Body); err != nil {
		return e, fmt.Errorf("request body: %v", err)
	}
	if err := exact(rb, "request"); err != nil {
		return e, err
	}
	b := bufio.NewReader(bytes.NewReader(respBytes))
	resp, err := http.ReadResponse(b, req)
	if err != nil {
		return e, fmt.Errorf("response: %v", err)
	}
	if e.Response, err = io.ReadAll(resp.Body); err != nil {
		return e, fmt.Errorf("response body: %v", err)
	}
	if err := exact(b, "response"); err != nil {
		return e, err
	}
	e.Method, e.URL, e.APIKey, e.Status = req.Method, req.URL.String(), req.Header.Get("X-Api-Key"), resp.StatusCode
	return e, nil
}

func main() {
	traces := []trace{}
	for _, path := range os.Args[1:] {
		traces = append(traces, read(path))
	}
	if err := json.NewEncoder(os.Stdout).Encode(map[string][]trace{"files": traces}); err != nil {
		panic(err)
	}
}
