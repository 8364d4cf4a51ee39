# RUN: %ember-translate --dump-signatures %s | FileCheck %s
# Test that annotations and `# type:` comments resolve to TorchScript types.
import torch
from typing import Dict, List, Optional, Tuple, Union, Any, Final
from torch._jit_internal import BroadcastingList2

# CHECK: plain(Tensor x, complex c, int n=2, float f=1.5, bool b=True, str s="a") -> Tensor
def plain(x: torch.Tensor, c: complex, n: int = 2, f: float = 1.5, b: bool = True,
          s: str = "a") -> Tensor:
    return x

# Test that defaults are kept as the values TorchScript stores: converted to
# the parameter's type, spelled as literals.
# CHECK: converted(bool b=True, int i=1, float f=2., float? g=None, (int, float) t=(1, 2.), int[2] k=[3, 3], Device d=torch.device("cpu")) -> Tensor
def converted(b: bool = 1, i: int = True, f: float = 2, g: Optional[float] = None,
              t: Tuple[int, float] = (1, 2), k: BroadcastingList2[int] = 3,
              d: torch.device = torch.device('cpu')) -> Tensor:
    return torch.ones(1)

# CHECK: containers(int[] a, Dict(str, Tensor) b, (int, str) c, () d, Tensor? e, int[]? f) -> Dict(int, (float, bool))
def containers(a: List[int], b: Dict[str, torch.Tensor], c: Tuple[int, str], d: Tuple[()],
               e: Optional[Tensor], f: Optional[List[int]]) -> Dict[int, Tuple[float, bool]]:
    pass

# CHECK: builtins(int[] a, Dict(str, int) b, (int, int) c, Union(int, str) d, Any e) -> int?
def builtins(a: list[int], b: dict[str, int], c: tuple[int, int], d: Union[int, str],
             e: Any) -> int | None:
    pass

# Test that Union alternatives are flattened, merged and sorted as TorchScript
# sorts them (by kind, then spelling); Optional[Union[...]] holds NoneType,
# int, float and complex together are `Scalar`.
# CHECK: unions(Union(int, str) a, Union(int[], str[]) b, Union(float, int, str) c, Union(int, NoneType, str) d, Scalar e, Scalar? f) -> Union(Tensor, (int, int), str)
def unions(a: Union[str, int], b: Union[List[str], List[int], List[str]], c: Union[Union[int, str], float],
           d: Optional[Union[int, str]], e: Union[int, float, complex], f: Union[float, None, int, complex]
           ) -> Union[str, Tuple[int, int], torch.Tensor]:
    pass

# Test that a comment's BroadcastingList may be Optional, as torch.nn.functional writes it.
# CHECK: optional_broadcast(float[2]? x) -> int
def optional_broadcast(x):
    # type: (Optional[BroadcastingList2[float]]) -> int
    return 2

# CHECK: torch_types(Device d, int t, int l, Generator g, Tensor x) -> Future(int)
def torch_types(d: torch.device, t: torch.dtype, l: torch.layout, g: torch.Generator,
                x) -> torch.jit.Future[int]:
    pass

# CHECK: strings(int[] a, Tensor? b) -> <inferred>
def strings(a: "List[int]", b: 'Optional[Tensor]'):
    pass

# CHECK: keyword_only(Tensor x, *, int k) -> Tensor
def keyword_only(x, *, k: int) -> torch.Tensor:
    return x

# CHECK: commented(int[] xs, Tensor y, float z=0.5) -> (int, Tensor)
def commented(xs, y, z=0.5):
    # type: (List[int], Tensor, float) -> Tuple[int, Tensor]
    return 1, y

# CHECK: per_parameter(Dict(str, Tensor) features, (int, int)[] shapes, int[]? targets=None) -> (Tensor, int)
def per_parameter(
    features,  # type: Dict[str, Tensor]
    shapes,  # type: List[Tuple[int, int]]
    targets=None  # type: Optional[List[int]]
):
    # type: (...) -> Tuple[Tensor, int]
    return features["a"], 1

# CHECK: broadcasting(int[2] size) -> <inferred>
def broadcasting(size: BroadcastingList2[int]):
    pass

# CHECK: Point.norm(Any self, __torch__.Point other) -> float
# CHECK: Point.make(float x) -> __torch__.Point
# CHECK: Point.method_comment(Any self, int n) -> int
# CHECK: Point.method_per_parameter(Any self, int n) -> int
class Point:
    def norm(self, other: "Point") -> float:
        return 0.0

    @staticmethod
    def make(x: float) -> "Point":
        return Point()

    def method_comment(self, n):
        # type: (int) -> int
        return n

    def method_per_parameter(self,
                             n,  # type: int
                             ):
        # type: (...) -> int
        return n
