//go:build ignore

// favicon_gen draws favicon.ico: the feed symbol (a dot and two quarter rings)
// in white on a rounded square of the pages' accent blue, at 16, 32 and 48
// pixels, anti-aliased by 4x4 supersampling, each size a PNG inside one ICO
// container (the PNG form of ICO entries, read by every current browser).
//
//	go generate ./feeds
package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

var (
	accent = color.NRGBA{0x0b, 0x57, 0xd0, 0xff}
	white  = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

// shade is the colour at (x, y) in unit coordinates (0..1, y down).
func shade(x, y float64) (color.NRGBA, bool) {
	// rounded square, corner radius 0.2
	const r = 0.2
	cx, cy := math.Max(r-x, math.Max(0, x-(1-r))), math.Max(r-y, math.Max(0, y-(1-r)))
	if cx*cx+cy*cy > r*r {
		return color.NRGBA{}, false
	}
	// the feed symbol, centred on the square's lower-left quarter
	ox, oy := 0.24, 0.76
	dx, dy := x-ox, oy-y
	d := math.Hypot(dx, dy)
	if d < 0.09 {
		return white, true
	}
	if dx >= -0.02 && dy >= -0.02 {
		for _, ring := range [][2]float64{{0.25, 0.37}, {0.47, 0.59}} {
			if d >= ring[0] && d <= ring[1] {
				return white, true
			}
		}
	}
	return accent, true
}

func draw(size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for py := range size {
		for px := range size {
			var r, g, b, a float64
			for sy := range ss {
				for sx := range ss {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					if c, ok := shade(x, y); ok {
						r, g, b, a = r+float64(c.R), g+float64(c.G), b+float64(c.B), a+1
					}
				}
			}
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / ss / ss)})
			}
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

func main() {
	sizes := []int{16, 32, 48}
	var pngs [][]byte
	for _, s := range sizes {
		pngs = append(pngs, draw(s))
	}
	var out bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&out, le, [3]uint16{0, 1, uint16(len(sizes))}) // reserved, type 1 (icon), count
	offset := 6 + 16*len(sizes)
	for i, s := range sizes {
		binary.Write(&out, le, struct {
			W, H, Colors, Reserved uint8
			Planes, BPP            uint16
			Size, Offset           uint32
		}{uint8(s), uint8(s), 0, 0, 1, 32, uint32(len(pngs[i])), uint32(offset)})
		offset += len(pngs[i])
	}
	for _, p := range pngs {
		out.Write(p)
	}
	if err := os.WriteFile("favicon.ico", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
