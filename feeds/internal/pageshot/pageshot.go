// Package pageshot takes screenshots of served pages in headless Chromium for
// the page tests: each at a viewport width, checked to render (a non-blank
// image) and to fit (the page no wider than the viewport, so a phone never
// scrolls sideways).
package pageshot

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the Chromium binary, or "" when none is installed.
func Chromium() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Dir is where screenshots go: $PAPERFEED_SCREENSHOTS, else a test temp dir.
func Dir(t testing.TB) string {
	dir := os.Getenv("PAPERFEED_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Browser starts headless Chromium (flags for a closed network) and returns a
// context to run pages in; it skips the test when Chromium is absent.
func Browser(t testing.TB) context.Context {
	t.Helper()
	bin := Chromium()
	if bin == "" {
		t.Skip("chromium absent: apt-get install -y chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("hide-scrollbars", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// Shot loads url at the viewport width, writes the full-page screenshot to
// dir/name-{width}.png and fails the test when the page is wider than the
// viewport or the image is blank. It returns the file written.
func Shot(t testing.TB, bctx context.Context, dir, name, url string, width int) string {
	t.Helper()
	tctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	err := chromedp.Do(tctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(url))
	var dims []int
	if err == nil {
		// The widest box decides whether the page scrolls sideways.
		dims, err = chromedp.Run(tctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]`))
	}
	var buf []byte
	if err == nil {
		buf, err = chromedp.Run(tctx, chromedp.FullScreenshot(100))
	}
	if err != nil {
		t.Fatalf("%s at %d px: %v", url, width, err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(dims) != 3 || dims[2] != width || max(dims[0], dims[1]) > dims[2] {
		t.Errorf("%s at %d px: page %v px wide (document, body, viewport): it scrolls sideways (%s)", url, width, dims, file)
	}
	if err := nonBlank(buf); err != nil {
		t.Errorf("%s at %d px: %v (%s)", url, width, err, file)
	}
	return file
}

// nonBlank fails on an image of (almost) one colour: a page that did not render.
func nonBlank(b []byte) error {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("screenshot is no PNG: %w", err)
	}
	r := img.Bounds()
	bg := img.At(r.Min.X, r.Min.Y)
	br, bgc, bb, _ := bg.RGBA()
	differ, total := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			total++
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr != br || cg != bgc || cb != bb {
				differ++
			}
		}
	}
	if differ*200 < total { // under 0.5% of the pixels differ from the background
		return fmt.Errorf("blank screenshot (%d of %d sampled pixels differ from the background)", differ, total)
	}
	return nil
}
