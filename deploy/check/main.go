// Command check validates Switchboard's deployment files without a Docker engine or a cluster, with
// the libraries the real tools use:
//
//	check compose FILE   loads FILE as `docker compose config` does (compose-go: the Compose
//	                     Specification schema, interpolation from the environment, merge keys,
//	                     references between services) and prints the resolved project as JSON.
//	check kube           reads manifests (e.g. `helm template` output) on standard input and decodes
//	                     each strictly into its Kubernetes API type (client-go's scheme): an unknown or
//	                     duplicated field, or a value of the wrong type, is an error. Kinds outside the
//	                     built-in API and the Prometheus Operator's (ServiceMonitor, from its own Go
//	                     types) are listed as not checked. Prints one JSON line per manifest.
//
// Exit code 0 when everything is valid, 1 with the problems on standard error, 2 on bad usage.
// deploy/helm/chart.test.ts and scripts/compose.test.ts run it through `go run`.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "compose":
		if len(os.Args) != 3 {
			usage()
		}
		err = checkCompose(os.Args[2])
	case "kube":
		err = checkKube(os.Stdin, os.Stdout)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: check compose FILE | check kube < manifests.yaml")
	os.Exit(2)
}

// checkCompose loads the file with the environment of this process only (no .env file), as
// `docker compose --env-file /dev/null config --format json` would.
func checkCompose(file string) error {
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithOsEnv, cli.WithConsistency(true), cli.WithResolvedPaths(true))
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}

type manifestResult struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	// Checked is false for kinds the scheme does not know (other custom resources).
	Checked bool `json:"checked"`
}

// kubeScheme knows client-go's built-in kinds and the Prometheus Operator's.
func kubeScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := monitoringv1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

func checkKube(in io.Reader, out io.Writer) error {
	known, err := kubeScheme()
	if err != nil {
		return err
	}
	strict := serializer.NewCodecFactory(known, serializer.EnableStrict).UniversalDeserializer()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	enc := json.NewEncoder(out)
	var problems []error
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", n, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			problems = append(problems, fmt.Errorf("document %d: %w", n, err))
			continue
		}
		where := fmt.Sprintf("document %d (%s %q)", n, meta.Kind, meta.Metadata.Name)
		if meta.APIVersion == "" || meta.Kind == "" || meta.Metadata.Name == "" {
			problems = append(problems, fmt.Errorf("%s: apiVersion, kind and metadata.name are required", where))
			continue
		}
		gv, err := schema.ParseGroupVersion(meta.APIVersion)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", where, err))
			continue
		}
		result := manifestResult{APIVersion: meta.APIVersion, Kind: meta.Kind, Name: meta.Metadata.Name}
		if known.Recognizes(gv.WithKind(meta.Kind)) {
			if _, _, err := strict.Decode(doc, nil, nil); err != nil {
				kind := "invalid"
				if runtime.IsStrictDecodingError(err) {
					kind = "unknown or duplicate field"
				}
				problems = append(problems, fmt.Errorf("%s: %s: %w", where, kind, err))
				continue
			}
			result.Checked = true
		}
		if err := enc.Encode(result); err != nil {
			return err
		}
	}
	return errors.Join(problems...)
}

// stripComments drops comment-only lines, so a document holding nothing but `# Source: …` (what helm
// prints for a template that rendered empty) counts as empty.
func stripComments(doc []byte) []byte {
	var kept [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			kept = append(kept, line)
		}
	}
	return bytes.Join(kept, []byte("\n"))
}
