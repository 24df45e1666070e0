// Copyright (c) datacenter.ve contributors
// GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
// SPDX-License-Identifier: GPL-3.0-or-later

// Command vcsim-lab serves a simulated vCenter (govmomi's simulator package,
// from Debian's golang-github-vmware-govmomi-dev) over TLS on a loopback port,
// for the datacenter.ve lab.
//
// It generates a CA and a server certificate for 127.0.0.1 and localhost in
// -certdir (ca.pem is what clients trust with validate_certs), builds the
// inventory from the flags, and prints one JSON line once it is serving:
//
//	{"url": "https://127.0.0.1:PORT/sdk", "host": "127.0.0.1", "port": PORT, "ca": ".../ca.pem", "vms": N, "pid": PID}
//
// Every SOAP request is counted by method; GET /lab/calls returns the counts
// as JSON and POST /lab/reset clears them (benchmarks count round trips).
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

type counter struct {
	mu    sync.Mutex
	calls map[string]int
	total int
}

func (c *counter) add(method string) {
	c.mu.Lock()
	c.calls[method]++
	c.total++
	c.mu.Unlock()
}

func (c *counter) snapshot() map[string]interface{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		calls[k] = v
	}
	return map[string]interface{}{"total": c.total, "calls": calls}
}

func (c *counter) reset() {
	c.mu.Lock()
	c.calls = map[string]int{}
	c.total = 0
	c.mu.Unlock()
}

// soapMethod returns the name of the first element inside the SOAP Body.
func soapMethod(body []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return "unknown"
		}
		if start, ok := tok.(xml.StartElement); ok {
			if inBody {
				return start.Name.Local
			}
			if start.Name.Local == "Body" {
				inBody = true
			}
		}
	}
}

func (c *counter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/lab/calls":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(c.snapshot())
			return
		case "/lab/reset":
			c.reset()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.Method == http.MethodPost && r.Body != nil {
			body, err := ioutil.ReadAll(r.Body)
			if err == nil {
				c.add(soapMethod(body))
				r.Body = ioutil.NopCloser(bytes.NewReader(body))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func writePEM(path, kind string, der []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	defer f.Close()
	return pem.Encode(f, &pem.Block{Type: kind, Bytes: der})
}

// certificates makes a CA and a server certificate signed by it, writing ca.pem, server.pem and server-key.pem.
func certificates(dir string) (tls.Certificate, string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, "", err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "datacenter.ve lab CA", Organization: []string{"datacenter.ve lab"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano() + 1),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"datacenter.ve lab"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	caPath := filepath.Join(dir, "ca.pem")
	for _, item := range []struct {
		path, kind string
		der        []byte
		mode       os.FileMode
	}{
		{caPath, "CERTIFICATE", caDER, 0o644},
		{filepath.Join(dir, "server.pem"), "CERTIFICATE", der, 0o644},
		{filepath.Join(dir, "server-key.pem"), "EC PRIVATE KEY", keyDER, 0o600},
	} {
		if err := writePEM(item.path, item.kind, item.der, item.mode); err != nil {
			return tls.Certificate{}, "", err
		}
	}
	cert := tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
	return cert, caPath, nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on (loopback only)")
	certdir := flag.String("certdir", "", "directory for ca.pem, server.pem and server-key.pem (required)")
	username := flag.String("username", "", "the only user that may log in (empty: any non-empty user)")
	// The password comes from the environment, never from argv (which every user of the machine can read).
	password := os.Getenv("VCSIM_LAB_PASSWORD")
	dcs := flag.Int("dc", 1, "datacenters")
	clusters := flag.Int("cluster", 1, "clusters per datacenter")
	hosts := flag.Int("host", 2, "hosts per cluster")
	standalone := flag.Int("standalone-host", 0, "standalone hosts per datacenter")
	vms := flag.Int("vm", 2, "VMs per resource pool (the cluster's root pool and each standalone host's)")
	datastores := flag.Int("ds", 1, "datastores")
	portgroups := flag.Int("pg", 1, "distributed port groups per datacenter")
	autostart := flag.Bool("autostart", true, "power on the model's VMs")
	flag.Parse()

	host, _, err := net.SplitHostPort(*listen)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("vcsim-lab: -listen must be a loopback address, got %q", *listen)
	}
	if *certdir == "" {
		log.Fatal("vcsim-lab: -certdir is required")
	}
	cert, caPath, err := certificates(*certdir)
	if err != nil {
		log.Fatalf("vcsim-lab: certificates: %v", err)
	}

	model := simulator.VPX()
	model.Datacenter = *dcs
	model.Cluster = *clusters
	model.ClusterHost = *hosts
	model.Host = *standalone
	model.Machine = *vms
	model.Datastore = *datastores
	model.Portgroup = *portgroups
	model.Autostart = *autostart
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim-lab: model: %v", err)
	}
	defer model.Remove()

	listenURL := &url.URL{Host: *listen}
	if *username != "" {
		listenURL.User = url.UserPassword(*username, password)
	}
	model.Service.Listen = listenURL
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	server := model.Service.NewServer()
	calls := &counter{calls: map[string]int{}}
	// Requests are served from here on; the handler is swapped before anyone knows the port.
	server.Config.Handler = calls.wrap(server.Config.Handler)
	server.Config.ErrorLog = log.New(io.Discard, "", 0)

	u := *server.URL
	u.User = nil
	_, port, _ := net.SplitHostPort(u.Host)
	var portNum int
	fmt.Sscanf(port, "%d", &portNum)
	total := model.Count().Machine
	line, _ := json.Marshal(map[string]interface{}{
		"url": u.String(), "host": u.Hostname(), "port": portNum, "ca": caPath, "vms": total, "pid": os.Getpid(),
	})
	fmt.Println(string(line))
	os.Stdout.Sync()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	server.Close()
}
