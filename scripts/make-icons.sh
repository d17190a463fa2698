#!/usr/bin/env bash
# Regenerates the app icon set in icons/ with ImageMagick (apt-get install imagemagick).
# The icon: a looping arrow (a callback coming back) around a dot, on a blue rounded square.
set -euo pipefail
cd "$(dirname "$0")/../icons"
C=/usr/bin/convert
$C -size 1024x1024 gradient:'#3b82f6-#1e3a8a' \
  \( -size 1024x1024 xc:black -fill white -draw 'roundrectangle 48,48 975,975 210,210' \) \
  -alpha off -compose CopyOpacity -composite -compose over \
  -fill none -stroke white -strokewidth 88 -draw "stroke-linecap round path 'M 330 680 A 240 240 0 1 1 660 720'" \
  -stroke none -fill white -draw "polygon 560,620 790,640 650,830" \
  -fill '#fbbf24' -draw "circle 512,512 512,584" \
  PNG32:src.png
$C src.png -resize 32x32 PNG32:32x32.png
$C src.png -resize 128x128 PNG32:128x128.png
$C src.png -resize 256x256 PNG32:128x128@2x.png
$C src.png -resize 512x512 PNG32:icon.png
$C src.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
rm -f src.png
