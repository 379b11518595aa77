"""Every detector, built once over a register and applied to one listing at a time."""

from datetime import date

from ipfed.detection.designs import DesignDetector
from ipfed.detection.images import ImageSource
from ipfed.detection.inventions import InventionDetector
from ipfed.detection.patent_marking import PatentMarkingDetector
from ipfed.detection.register import Finding, Register, ScreenedListing
from ipfed.detection.trademarks import TrademarkDetector


class Screener:
    def __init__(self, register: Register, *, today: date, images: ImageSource | None = None):
        self.register = register
        self.trademarks = TrademarkDetector(register, today)
        self.patent_marking = PatentMarkingDetector(register, today)
        self.designs = DesignDetector(register, today, images)
        self.inventions = InventionDetector(register, today)

    def screen(self, listing: ScreenedListing) -> list[Finding]:
        """Every lead the listing raises, most certain first."""
        findings = [
            *self.trademarks.detect(listing),
            *self.patent_marking.detect(listing),
            *self.designs.detect(listing),
            *self.inventions.detect(listing),
        ]
        return sorted(findings, key=lambda f: -f.score)
