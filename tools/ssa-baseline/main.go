// ssa-baseline: the engine benchmark's second baseline. A bare parallel server-side apply
// with client-go: reads a multi-document YAML file, applies Namespaces first, then every other
// object with N workers (JSON apply patches, forced, one field manager), and prints what it did.
// No diff, no inventory, no health: the apiserver's practical limit for the same objects.
//
//	ssa-baseline -kubeconfig FILE -f objects.yaml [-workers 32] [-field-manager ssa-baseline]
//
// Built by scripts/build-tool ssa-baseline into the control plane's binary cache (never committed).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	file := flag.String("f", "", "multi-document YAML file of the objects to apply")
	workers := flag.Int("workers", 32, "objects applied at once")
	manager := flag.String("field-manager", "ssa-baseline", "field manager")
	flag.Parse()
	if err := run(*kubeconfig, *file, *workers, *manager); err != nil {
		fmt.Fprintln(os.Stderr, "ssa-baseline:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, file string, workers int, manager string) error {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	config.QPS = -1 // no client-side rate limit: the apiserver's limit is what is measured
	config.Burst = -1
	objects, err := read(file)
	if err != nil {
		return err
	}
	start := time.Now()
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	var first, rest []*unstructured.Unstructured
	for _, o := range objects {
		if o.GetKind() == "Namespace" || o.GetKind() == "CustomResourceDefinition" {
			first = append(first, o)
		} else {
			rest = append(rest, o)
		}
	}
	var failed atomic.Int64
	for _, stage := range [][]*unstructured.Unstructured{first, rest} {
		applyAll(stage, workers, func(o *unstructured.Unstructured) {
			if err := apply(client, mapper, o, manager); err != nil {
				failed.Add(1)
				fmt.Fprintf(os.Stderr, "%s %s/%s: %v\n", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			}
		})
	}
	fmt.Printf("applied %d objects in %d ms (%d failed, %d workers)\n", len(objects),
		time.Since(start).Milliseconds(), failed.Load(), workers)
	if failed.Load() > 0 {
		return errors.New("some objects failed")
	}
	return nil
}

func applyAll(objects []*unstructured.Unstructured, workers int, work func(*unstructured.Unstructured)) {
	queue := make(chan *unstructured.Unstructured)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range queue {
				work(o)
			}
		}()
	}
	for _, o := range objects {
		queue <- o
	}
	close(queue)
	wg.Wait()
}

func apply(client dynamic.Interface, mapper *restmapper.DeferredDiscoveryRESTMapper, o *unstructured.Unstructured,
	manager string) error {
	gvk := o.GroupVersionKind()
	mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return err
	}
	data, err := json.Marshal(o.Object)
	if err != nil {
		return err
	}
	force := true
	resource := client.Resource(mapping.Resource)
	options := metav1.PatchOptions{FieldManager: manager, Force: &force}
	if o.GetNamespace() == "" {
		_, err = resource.Patch(context.Background(), o.GetName(), types.ApplyPatchType, data, options)
	} else {
		_, err = resource.Namespace(o.GetNamespace()).Patch(context.Background(), o.GetName(), types.ApplyPatchType,
			data, options)
	}
	return err
}

func read(file string) ([]*unstructured.Unstructured, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
	var out []*unstructured.Unstructured
	for {
		var m map[string]interface{}
		if err := decoder.Decode(&m); err != nil {
			if err == io.EOF {
				return out, nil
			}
			return nil, err
		}
		if len(m) > 0 {
			out = append(out, &unstructured.Unstructured{Object: m})
		}
	}
}
