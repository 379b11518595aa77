from pydantic import BaseModel, Field


class Rejection(BaseModel):
    line: int = Field(description="line of the file (1 is the CSV header)")
    field: str | None
    code: str
    reason: str


class ImportReport(BaseModel):
    kind: str
    file: str
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rejections: list[Rejection] = Field(
        default=[], description="the first rejections, up to the report's limit"
    )
    ignored_columns: list[str] = []
    committed: bool = False
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0
